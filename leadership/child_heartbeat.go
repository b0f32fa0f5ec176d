package leadership

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/transport"
)

// heartbeatChild renews the lease of one term every HeartbeatInterval and
// reports each outcome with the time the renewal was sent. It lives for one
// term. After a restart it asks the election for the current lease, since
// the one it started with may have been renewed since.
type heartbeatChild struct {
	store    transport.LeaseStore
	tel      *telemetry
	term     uint64
	interval time.Duration
	timeout  time.Duration
	timers   *actors.Timers
	lease    transport.Lease
	hasLease bool
}

const beatTimer = "beat"

// newHeartbeatProps returns the heartbeat child's props for term.
func newHeartbeatProps(store transport.LeaseStore, tel *telemetry, term uint64, interval, timeout time.Duration) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &heartbeatChild{store: store, tel: tel, term: term, interval: interval, timeout: timeout}
	})
}

// Receive implements actor.Actor.
func (h *heartbeatChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		h.timers = actors.NewTimers(ctx)
		ctx.Send(ctx.Parent(), &needLease{term: h.term})
	case *leaseUpdate:
		if msg.term == h.term {
			first := !h.hasLease
			h.lease, h.hasLease = msg.lease, true
			if first {
				_ = h.timers.Every(beatTimer, h.term, h.interval) // interval is validated positive
			}
		}
	case *proveLease:
		if msg.term == h.term && h.hasLease {
			h.renew(ctx)
		}
	case *actors.Tick:
		if h.timers.Current(msg) && h.hasLease {
			h.renew(ctx)
		}
	case *actor.Stopping, *actor.Restarting:
		if h.timers != nil {
			h.timers.CancelAll()
		}
	}
}

// renew sends one renewal and reports it. It blocks this child, not the
// election, for at most the operation timeout.
func (h *heartbeatChild) renew(ctx actor.Context) {
	sctx, span := h.tel.startOp(context.Background(), spanRenew, h.term)
	rctx, cancel := context.WithTimeout(sctx, h.timeout)
	defer cancel()
	sentAt := time.Now()
	next, err := h.store.Renew(rctx, h.lease)
	h.tel.heartbeat.Record(sctx, time.Since(sentAt).Seconds(), h.tel.labels)
	h.tel.endOp(sctx, span, "renew", err)
	if err != nil {
		actors.SendTraced(ctx, sctx, ctx.Parent(), &renewFailed{term: h.term, err: err})
		return
	}
	h.lease = next
	actors.SendTraced(ctx, sctx, ctx.Parent(), &renewed{term: h.term, lease: next, sentAt: sentAt})
}
