package leadership

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
)

// healthChild runs the user's HealthChecker every interval and reports each
// outcome with the count of consecutive failures. A checker that panics
// fails the child, which its supervisor restarts; the count then restarts at
// zero, so a checker that always panics is given up and the election
// demotes.
type healthChild struct {
	checker  HealthChecker
	interval time.Duration
	timers   *actors.Timers
	failures int
}

const healthTimer = "health"

// healthSetup is what the health child needs of its election: the checker
// and how often to run it.
type healthSetup struct {
	checker  HealthChecker
	interval time.Duration
}

// healthProps are the props of every health child.
var healthProps = actor.PropsFromProducer(func() actor.Actor { return &healthChild{} }, roleMailbox)

// Receive implements actor.Actor.
func (h *healthChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		askSetup(ctx, fsm.ChildHealth)
	case *healthSetup:
		h.checker, h.interval = msg.checker, msg.interval
		h.timers = actors.NewTimers(ctx)
		h.check(ctx)
		_ = h.timers.Every(healthTimer, 0, h.interval) // interval is validated positive
	case *actors.Tick:
		if h.timers.Current(msg) {
			h.check(ctx)
		}
	case *actor.Stopping, *actor.Restarting:
		if h.timers != nil {
			h.timers.CancelAll()
		}
	}
}

// check runs the checker once, bounded by the interval, in this child's
// goroutine: a slow checker delays only the next check.
func (h *healthChild) check(ctx actor.Context) {
	cctx, cancel := context.WithTimeout(context.Background(), h.interval)
	defer cancel()
	err := h.checker.Check(cctx)
	if err == nil && cctx.Err() != nil {
		err = fmt.Errorf("health check overran %v: %w", h.interval, cctx.Err())
	}
	if err != nil {
		h.failures++
	} else {
		h.failures = 0
	}
	ctx.Send(ctx.Parent(), &healthReport{err: err, failures: h.failures})
}
