package actors_test

import (
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/actors/actortest"
)

// Commands to the timer actor, and its reports to its parent.
type (
	after struct {
		name string
		term uint64
		d    time.Duration
	}
	every     after
	cancelAll struct{}
	accepted  struct{ tick actors.Tick }
	stale     struct{ tick actors.Tick }
	armError  struct{ err error }
)

// timerActor arms timers on command and reports every tick it receives,
// accepted or stale, to its parent.
func timerActor() actor.Actor {
	var timers *actors.Timers
	return actor.ReceiveFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *actor.Started:
			timers = actors.NewTimers(ctx)
		case *actor.Stopping, *actor.Restarting:
			timers.CancelAll()
		case *after:
			timers.After(m.name, m.term, m.d)
		case *every:
			if err := timers.Every(m.name, m.term, m.d); err != nil {
				ctx.Send(ctx.Parent(), &armError{err: err})
			}
		case *cancelAll:
			timers.CancelAll()
		case *actors.Tick:
			if timers.Current(m) {
				ctx.Send(ctx.Parent(), &accepted{tick: *m})
			} else {
				ctx.Send(ctx.Parent(), &stale{tick: *m})
			}
		}
	})
}

func TestTimersAfterDeliversATick(t *testing.T) {
	system := actortest.NewSystem(t)
	p, pid := actortest.NewParentProbe(t, system, actor.PropsFromProducer(timerActor))
	const d = 20 * time.Millisecond

	armed := time.Now()
	system.Root.Send(pid, &after{name: "a", term: 7, d: d})
	got := actortest.ExpectNext[*accepted](t, p, wait)
	if elapsed := time.Since(armed); elapsed < d {
		t.Errorf("tick arrived after %v, before its delay %v", elapsed, d)
	}
	if got.tick.Name != "a" || got.tick.Term != 7 {
		t.Errorf("tick = %+v, want name a, term 7", got.tick)
	}

	// The same tick delivered again (as if late) is stale: Current accepts once.
	system.Root.Send(pid, &got.tick)
	actortest.ExpectNext[*stale](t, p, wait)
}

func TestTimersReArmMakesAnOldTickStale(t *testing.T) {
	system := actortest.NewSystem(t)
	p, pid := actortest.NewParentProbe(t, system, actor.PropsFromProducer(timerActor))

	system.Root.Send(pid, &every{name: "a", term: 1, d: 5 * time.Millisecond})
	old := actortest.ExpectNext[*accepted](t, p, wait).tick

	// Re-arming replaces the series; the old arming's tick, arriving late, is stale.
	system.Root.Send(pid, &after{name: "a", term: 1, d: time.Hour})
	system.Root.Send(pid, &old)
	// The series' next tick may also show up as stale if it fired while the
	// re-arm was queued; skip it and wait for the old one.
	for {
		if got := actortest.Expect[*stale](t, p, wait); got.tick == old {
			return
		}
	}
}

func TestTimersEveryRepeatsUntilCancelAll(t *testing.T) {
	system := actortest.NewSystem(t)
	p, pid := actortest.NewParentProbe(t, system, actor.PropsFromProducer(timerActor))

	system.Root.Send(pid, &every{name: "beat", term: 3, d: 5 * time.Millisecond})
	var last uint64
	for i := range 3 {
		got := actortest.Expect[*accepted](t, p, wait).tick
		if got.Name != "beat" || got.Term != 3 || got.Seq <= last {
			t.Fatalf("tick %d = %+v, want beat, term 3, a sequence number above %d", i, got, last)
		}
		last = got.Seq
	}

	system.Root.Send(pid, &cancelAll{})
	// A tick already in flight may still arrive, but only as stale.
	actortest.ExpectNo[*accepted](t, p, 50*time.Millisecond)
}

func TestTimersEveryRejectsANonPositivePeriod(t *testing.T) {
	system := actortest.NewSystem(t)
	p, pid := actortest.NewParentProbe(t, system, actor.PropsFromProducer(timerActor))

	system.Root.Send(pid, &every{name: "spin", term: 1, d: 0})
	if got := actortest.ExpectNext[*armError](t, p, wait); !errors.Is(got.err, actors.ErrInvalidPeriod) {
		t.Fatalf("Every(0) error = %v, want ErrInvalidPeriod", got.err)
	}
}
