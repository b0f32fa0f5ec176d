package actors_test

import (
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/actors/actortest"
)

type (
	ping         struct{}
	pong         struct{}
	childStarted struct{ at time.Time }
)

// crashOnStart is a child that counts its starts, tells its parent it
// started, then panics.
func crashOnStart(starts *atomic.Int32) *actor.Props {
	return actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actor.Started); ok {
			starts.Add(1)
			ctx.Send(ctx.Parent(), &childStarted{at: time.Now()})
			panic("boom")
		}
	})
}

func TestRestartWithBackoffRestartsAFailedChild(t *testing.T) {
	system := actortest.NewSystem(t)
	var crashed atomic.Bool
	child := actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Send(ctx.Parent(), &childStarted{at: time.Now()})
		case *ping:
			if !crashed.Swap(true) {
				panic("first ping crashes")
			}
			ctx.Send(ctx.Parent(), &pong{})
		}
	})
	strategy := actors.RestartWithBackoff(actors.BackoffSupervision{InitialInterval: 5 * time.Millisecond})
	p, pid := actortest.NewParentProbe(t, system, child, actortest.WithSupervisor(strategy))

	actortest.ExpectNext[*childStarted](t, p, wait)
	system.Root.Send(pid, &ping{})
	actortest.ExpectNext[*childStarted](t, p, wait) // restarted, same PID
	system.Root.Send(pid, &ping{})
	actortest.ExpectNext[*pong](t, p, wait)
}

func TestRestartWithBackoffDelaysGrowThenStopsAndNotifies(t *testing.T) {
	system := actortest.NewSystem(t)
	cfg := actors.BackoffSupervision{
		InitialInterval:     20 * time.Millisecond,
		MaxInterval:         time.Second,
		Multiplier:          3,
		RandomizationFactor: 0.1,
		MaxRestarts:         3,
		Window:              10 * time.Second,
		OnGiveUp:            actors.StopAndNotify,
	}
	var count atomic.Int32
	p, pid := actortest.NewParentProbe(t, system, crashOnStart(&count),
		actortest.WithSupervisor(actors.RestartWithBackoff(cfg)))

	// The child starts once and is restarted MaxRestarts times; its next
	// failure gives it up: it is stopped and the parent is told. *Terminated
	// is a system message and may overtake the user messages before it.
	var (
		starts     []time.Time
		gaveUp     *actors.ChildGaveUp
		terminated *actor.Terminated
	)
	for len(starts) < cfg.MaxRestarts+1 || gaveUp == nil || terminated == nil {
		switch m := actortest.Expect[any](t, p, wait).(type) {
		case *childStarted:
			starts = append(starts, m.at)
		case *actors.ChildGaveUp:
			gaveUp = m
		case *actor.Terminated:
			terminated = m
		}
	}
	if len(starts) != cfg.MaxRestarts+1 {
		t.Errorf("child started %d times, want %d", len(starts), cfg.MaxRestarts+1)
	}
	if !gaveUp.Child.Equal(pid) || gaveUp.Reason != "boom" {
		t.Errorf("ChildGaveUp = %+v, want child %v with reason boom", gaveUp, pid)
	}
	if !terminated.Who.Equal(pid) {
		t.Errorf("Terminated = %+v, want child %v", terminated, pid)
	}
	if n := count.Load(); int(n) != len(starts) {
		t.Errorf("child counted %d starts, the parent saw %d", n, len(starts))
	}

	// Lower bounds only: the scheduler may be late, never early. With a
	// multiplier of 3 and 10% jitter a linear backoff fails the later bounds.
	for n := 1; n < len(starts); n++ {
		base := float64(cfg.InitialInterval) * math.Pow(cfg.Multiplier, float64(n-1))
		atLeast := time.Duration(base * (1 - cfg.RandomizationFactor))
		if got := starts[n].Sub(starts[n-1]); got < atLeast {
			t.Errorf("restart %d came %v after the failure, want at least %v", n, got, atLeast)
		}
	}
}

// escalation is what recordingGuardian saw.
type escalation struct {
	who    *actor.PID
	reason any
}

// recordingGuardian records the failures escalated to it and stops the
// failing actor.
type recordingGuardian struct {
	escalated chan escalation
}

func (g *recordingGuardian) HandleFailure(_ *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason any, _ any) {
	select {
	case g.escalated <- escalation{who: child, reason: reason}:
	default:
	}
	supervisor.StopChildren(child)
}

func TestRestartWithBackoffEscalatesWhenItGivesUp(t *testing.T) {
	system := actortest.NewSystem(t)
	guardian := &recordingGuardian{escalated: make(chan escalation, 1)}
	cfg := actors.BackoffSupervision{InitialInterval: time.Millisecond, MaxRestarts: 1, OnGiveUp: actors.Escalate}
	var starts atomic.Int32
	p, _ := actortest.NewParentProbe(t, system, crashOnStart(&starts),
		actortest.WithSupervisor(actors.RestartWithBackoff(cfg)), actortest.WithGuardian(guardian))

	// Escalating suspends the probe's mailbox, so the restarted child's
	// message may never be recorded: count starts in the child instead.
	select {
	case got := <-guardian.escalated:
		if !got.who.Equal(p.PID()) || got.reason != "boom" {
			t.Fatalf("escalated %+v, want the probe %v failing with boom", got, p.PID())
		}
	case <-time.After(wait):
		t.Fatalf("waited %v for the probe to escalate its child's failure", wait)
	}
	if n := starts.Load(); n != 2 {
		t.Errorf("child started %d times before the escalation, want 2 (one restart allowed)", n)
	}
}

func TestRestartWithBackoffUnderAGuardianPublishesChildGaveUp(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	sub := system.EventStream.Subscribe(func(evt any) {
		if g, ok := evt.(*actors.ChildGaveUp); ok {
			system.Root.Send(p.PID(), g)
		}
	})
	t.Cleanup(func() { system.EventStream.Unsubscribe(sub) })

	// A guardian cannot escalate: even with Escalate the child is stopped.
	cfg := actors.BackoffSupervision{InitialInterval: time.Millisecond, MaxRestarts: 1, OnGiveUp: actors.Escalate}
	// Its parent is the guardian, which takes no messages: it only counts.
	var starts atomic.Int32
	pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actor.Started); ok {
			starts.Add(1)
			panic("boom")
		}
	}, actor.WithGuardian(actors.RestartWithBackoff(cfg))))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })

	got := actortest.Expect[*actors.ChildGaveUp](t, p, wait)
	if !got.Child.Equal(pid) || got.Reason != "boom" {
		t.Errorf("ChildGaveUp = %+v, want child %v with reason boom", got, pid)
	}
	if n := starts.Load(); n != 2 {
		t.Errorf("child started %d times, want 2 (one restart allowed)", n)
	}
}
