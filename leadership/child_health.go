package leadership

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
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

// newHealthProps returns the health child's props.
func newHealthProps(checker HealthChecker, interval time.Duration) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &healthChild{checker: checker, interval: interval} }, roleMailbox)
}

// Receive implements actor.Actor.
func (h *healthChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
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
