package leadership

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
)

// faultyClock is real time whose AfterFunc panics while failing is above
// zero, counting down, or always while forever is set: the heartbeat
// child's one collaborator, made to fail.
type faultyClock struct {
	failing atomic.Int64
	forever atomic.Bool
}

func (c *faultyClock) Now() time.Time { return time.Now() }

func (c *faultyClock) AfterFunc(d time.Duration, f func()) func() bool {
	if c.forever.Load() || c.failing.Add(-1) >= 0 {
		panic("clock failed to arm a timer")
	}
	return time.AfterFunc(d, f).Stop
}

// heartbeatParent supervises a heartbeat child as an election does, passes
// on the armings (on its clock) and timer ticks a test sends it, and
// reports what the child sends back.
type heartbeatParent struct {
	clock  Clock
	child  *actor.PID
	events chan any
}

func (p *heartbeatParent) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		p.child = ctx.Spawn(heartbeatProps)
	case *armHeartbeat:
		arming := *msg
		arming.clock = p.clock
		ctx.Send(p.child, &arming)
	case *actors.Tick:
		ctx.Send(p.child, msg)
	case *heartbeatReady, *heartbeatTick, *actors.ChildGaveUp:
		p.events <- msg
	}
}

// spawnHeartbeatParent starts a heartbeat child on clock under a parent
// with the election's supervision, and returns the parent and its reports.
func spawnHeartbeatParent(t *testing.T, clock Clock) (*actor.ActorSystem, *actor.PID, chan any) {
	t.Helper()
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	events := make(chan any, 64)
	props := actor.PropsFromProducer(func() actor.Actor { return &heartbeatParent{clock: clock, events: events} },
		actor.WithSupervisor(childSupervision(200*time.Millisecond)))
	pid := system.Root.Spawn(props)
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	return system, pid, events
}

// await returns the next report of type T, failing after a deadline; what
// names what the test waits for.
func await[T any](t *testing.T, events chan any, what string) T {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-events:
			if v, ok := ev.(T); ok {
				return v
			}
		case <-deadline:
			t.Fatalf("waited 5s for %s", what)
		}
	}
}

func TestHeartbeatTicksTheArmingInPlace(t *testing.T) {
	system, parent, events := spawnHeartbeatParent(t, &faultyClock{})
	await[*heartbeatReady](t, events, "the heartbeat child to announce itself")
	system.Root.Send(parent, &armHeartbeat{term: 7, seq: 1, after: time.Hour})
	system.Root.Send(parent, &armHeartbeat{term: 7, seq: 2, after: time.Millisecond})
	tick := await[*heartbeatTick](t, events, "the tick of the second arming")
	if tick.term != 7 || tick.seq != 2 {
		t.Fatalf("tick of term %d, arming %d; want term 7, arming 2 (an arming replaces the one before)", tick.term, tick.seq)
	}
}

// A child makes its timers with its first arming on one, so a tick of an
// earlier life (left in the mailbox of a child restarted since) can reach
// it before it has any: it is stale, and fails nothing.
func TestHeartbeatTakesATickBeforeItsFirstArmingForStale(t *testing.T) {
	system, parent, events := spawnHeartbeatParent(t, &faultyClock{})
	await[*heartbeatReady](t, events, "the heartbeat child to announce itself")
	system.Root.Send(parent, &actors.Tick{Name: heartbeatTimer, Term: 1, Seq: 1})
	system.Root.Send(parent, &armHeartbeat{term: 1, seq: 1, after: time.Millisecond})
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-events:
			switch ev.(type) {
			case *heartbeatReady:
				t.Fatal("the child failed on a stale tick and was restarted")
			case *heartbeatTick:
				return
			}
		case <-deadline:
			t.Fatal("waited 5s for the tick of the arming after a stale tick")
		}
	}
}

func TestHeartbeatThatFailsIsRestartedAndAnnouncesItself(t *testing.T) {
	clock := &faultyClock{}
	clock.failing.Store(1)
	system, parent, events := spawnHeartbeatParent(t, clock)
	await[*heartbeatReady](t, events, "the heartbeat child to announce itself")
	// Arming fails once: the child panics and its supervisor restarts it,
	// which announces itself again so that its election arms it anew.
	system.Root.Send(parent, &armHeartbeat{term: 3, seq: 1, after: time.Millisecond})
	await[*heartbeatReady](t, events, "the restarted heartbeat child to announce itself")
	system.Root.Send(parent, &armHeartbeat{term: 3, seq: 2, after: time.Millisecond})
	if tick := await[*heartbeatTick](t, events, "a tick after the restart"); tick.seq != 2 {
		t.Fatalf("tick of arming %d after the restart, want 2", tick.seq)
	}
}

func TestHeartbeatThatKeepsFailingIsGivenUp(t *testing.T) {
	clock := &faultyClock{}
	clock.forever.Store(true)
	system, parent, events := spawnHeartbeatParent(t, clock)
	for seq := uint64(1); ; seq++ {
		// Every start is armed again, as its election would, until the
		// supervisor gives the child up and tells the parent.
		select {
		case ev := <-events:
			switch ev.(type) {
			case *heartbeatReady:
				system.Root.Send(parent, &armHeartbeat{term: 1, seq: seq, after: time.Millisecond})
			case *actors.ChildGaveUp:
				return
			case *heartbeatTick:
				t.Fatal("a heartbeat whose clock cannot arm ticked")
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("waited 10s for the supervisor to give up a heartbeat that fails at every arming (%d armings)", seq)
		}
	}
}
