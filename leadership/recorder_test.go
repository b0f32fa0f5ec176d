package leadership_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
)

// event is an election message and when the test process saw it, on its
// monotonic clock.
type event struct {
	at  time.Time
	msg any
}

// recorder keeps every Promoted, Demoted and LeaderChanged published on an
// actor system's EventStream, in order, with the time it was published.
type recorder struct {
	mu      sync.Mutex
	events  []event
	arrived chan struct{}
}

// record subscribes a recorder to system's EventStream until the test ends.
func record(t *testing.T, system *actor.ActorSystem) *recorder {
	t.Helper()
	r := &recorder{arrived: make(chan struct{}, 1)}
	sub := system.EventStream.Subscribe(func(evt any) {
		switch evt.(type) {
		case *leadership.Promoted, *leadership.Demoted, *leadership.LeaderChanged:
		default:
			return
		}
		r.mu.Lock()
		r.events = append(r.events, event{at: time.Now(), msg: evt})
		r.mu.Unlock()
		select {
		case r.arrived <- struct{}{}:
		default:
		}
	})
	t.Cleanup(func() { system.EventStream.Unsubscribe(sub) })
	return r
}

// await waits until an event at or after index from matches, and returns it.
func (r *recorder) await(t *testing.T, from int, timeout time.Duration, what string, match func(any) bool) event {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for i := from; i < len(r.events); i++ {
			if match(r.events[i].msg) {
				ev := r.events[i]
				r.mu.Unlock()
				return ev
			}
		}
		r.mu.Unlock()
		select {
		case <-r.arrived:
		case <-deadline.C:
			t.Fatalf("waited %v for %s; saw: %s", timeout, what, r.describe(from))
		}
	}
}

// snapshot returns the events recorded so far.
func (r *recorder) snapshot() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// len is the number of events recorded so far.
func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// describe lists the events from index from.
func (r *recorder) describe(from int) string {
	var parts []string
	for _, ev := range r.snapshot()[from:] {
		parts = append(parts, describeMsg(ev.msg))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func describeMsg(msg any) string {
	switch m := msg.(type) {
	case *leadership.Promoted:
		return fmt.Sprintf("Promoted(%s, %s)", m.InstanceID, m.Token)
	case *leadership.Demoted:
		return fmt.Sprintf("Demoted(%s, %s)", m.InstanceID, m.Reason)
	case *leadership.LeaderChanged:
		return fmt.Sprintf("LeaderChanged(%q)", m.Leader)
	}
	return fmt.Sprintf("%T", msg)
}

func promotedOf(instance string) func(any) bool {
	return func(m any) bool { p, ok := m.(*leadership.Promoted); return ok && p.InstanceID == instance }
}

func demotedOf(instance string) func(any) bool {
	return func(m any) bool { d, ok := m.(*leadership.Demoted); return ok && d.InstanceID == instance }
}

func anyPromoted(m any) bool { _, ok := m.(*leadership.Promoted); return ok }
