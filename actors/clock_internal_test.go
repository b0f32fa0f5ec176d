package actors

import (
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
)

// handClock is a Clock whose timers fire only when the test says so.
type handClock struct {
	mu      sync.Mutex
	armed   []time.Duration
	fire    []func()
	stopped int
}

func (c *handClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = append(c.armed, d)
	c.fire = append(c.fire, f)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.stopped++
		return true
	}
}

func TestTimersArmOnTheirClock(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	clock := &handClock{}
	timers := newTimers(system, p.PID(), WithClock(clock))
	t.Cleanup(timers.CancelAll)

	// An hour of real time would never pass in a test: the tick can only
	// come from the clock's own firing.
	timers.After("lease", 7, time.Hour)
	if len(clock.armed) != 1 || clock.armed[0] != time.Hour {
		t.Fatalf("the clock armed %v, want one timer of 1h", clock.armed)
	}
	clock.fire[0]()
	tick := actortest.ExpectNext[*Tick](t, p, wait)
	if tick.Name != "lease" || tick.Term != 7 || !timers.Current(tick) {
		t.Fatalf("tick %+v from the clock is not the armed timer's", tick)
	}

	timers.After("lease", 8, time.Hour)
	timers.Cancel("lease")
	if clock.stopped != 1 {
		t.Errorf("Cancel stopped %d of the clock's timers, want 1", clock.stopped)
	}
}

func TestWithNilClockKeepsRealTime(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	timers := newTimers(system, p.PID(), WithClock(nil))
	t.Cleanup(timers.CancelAll)

	timers.After("a", 1, 0)
	if tick := actortest.ExpectNext[*Tick](t, p, wait); !timers.Current(tick) {
		t.Fatalf("tick %+v of a real-time timer is not current", tick)
	}
}
