package leadership_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// panickyChecker panics on the check numbered panicOn (1-based), or on
// every check while always is set, and signals each check it survives.
type panickyChecker struct {
	calls   atomic.Int64
	panicOn int64
	always  atomic.Bool
	passed  chan int64
}

func (c *panickyChecker) Check(context.Context) error {
	n := c.calls.Add(1)
	if c.always.Load() || n == c.panicOn {
		panic("health checker exploded")
	}
	select {
	case c.passed <- n:
	default:
	}
	return nil
}

func TestChildThatPanicsOnceIsRestarted(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	checker := &panickyChecker{panicOn: 3, passed: make(chan int64, 64)}
	cfg := fastConfig(connect(t, srv.URL()), "restart", "a")
	cfg.Health.Checker = checker
	cfg.Health.Interval = 50 * time.Millisecond
	probe, _ := spawnCandidate(t, system, cfg)
	actortest.Expect[*leadership.Promoted](t, probe, wait)
	// The health child panics on its third check and is restarted; checks
	// go on past the panic and the leader is not demoted.
	deadline := time.After(wait)
	for past := false; !past; {
		select {
		case n := <-checker.passed:
			past = n > checker.panicOn
		case <-deadline:
			t.Fatalf("waited %v for a health check after the child's panic; %d checks ran", wait, checker.calls.Load())
		}
	}
	actortest.ExpectNo[*leadership.Demoted](t, probe, 10*time.Millisecond)
}

func TestChildThatKeepsPanickingDemotes(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	checker := &panickyChecker{passed: make(chan int64, 1)}
	cfg := fastConfig(connect(t, srv.URL()), "blind", "a")
	cfg.Health.Checker = checker
	cfg.Health.Interval = 50 * time.Millisecond
	probe, _ := spawnCandidate(t, system, cfg)
	actortest.Expect[*leadership.Promoted](t, probe, wait)
	// From now on every check panics: after the supervisor's restarts run
	// out, the election must demote rather than lead without its child.
	checker.always.Store(true)
	d := actortest.Expect[*leadership.Demoted](t, probe, 15*time.Second)
	if d.Reason != leadership.ReasonChildFailed {
		t.Fatalf("demoted for %v, want %v", d.Reason, leadership.ReasonChildFailed)
	}
}
