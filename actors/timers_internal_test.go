package actors

import (
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
)

// These tests drive Timers from the test goroutine, which then is the one
// goroutine that owns them, with ticks going to a probe so that the test
// decides when each tick is checked.

const wait = 2 * time.Second

func TestCurrentRejectsTicksOfAnotherArmingOrTerm(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	timers := newTimers(system, p.PID())
	t.Cleanup(timers.CancelAll)

	timers.After("lease", 1, 0)
	first := actortest.ExpectNext[*Tick](t, p, wait)
	timers.After("lease", 2, 0)
	second := actortest.ExpectNext[*Tick](t, p, wait)

	forged := &Tick{Name: "lease", Term: 1, Seq: second.Seq}
	for _, tc := range []struct {
		name string
		tick *Tick
	}{
		{"tick of the replaced arming", first},
		{"current sequence number, other term", forged},
		{"unknown name", &Tick{Name: "other", Term: second.Term, Seq: second.Seq}},
		{"nil tick", nil},
	} {
		if timers.Current(tc.tick) {
			t.Errorf("Current(%s %+v) = true, want false", tc.name, tc.tick)
		}
	}
	if !timers.Current(second) {
		t.Fatalf("Current(%+v) = false for the armed timer's tick", second)
	}
	if timers.Current(second) {
		t.Errorf("Current accepted the same one-shot tick twice")
	}
}

func TestCancelMakesASentTickStale(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	timers := newTimers(system, p.PID())
	t.Cleanup(timers.CancelAll)

	timers.After("a", 1, 0)
	tick := actortest.ExpectNext[*Tick](t, p, wait)
	timers.Cancel("a")
	if timers.Current(tick) {
		t.Errorf("Current accepted a tick of a cancelled timer")
	}
}

func TestEveryWithBadPeriodArmsNothing(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	timers := newTimers(system, p.PID())
	t.Cleanup(timers.CancelAll)

	timers.After("a", 1, time.Hour)
	if err := timers.Every("a", 1, -time.Second); err == nil {
		t.Fatalf("Every with a negative period returned no error")
	}
	if len(timers.armed) != 1 {
		t.Errorf("a rejected Every changed the armed timers: %v", timers.armed)
	}
}
