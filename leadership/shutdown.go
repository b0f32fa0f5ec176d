package leadership

import (
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// shutdown runs on Stopping and Restarting: it settles an attempt in flight,
// releases the lease in place under a short deadline when it leads (the one
// blocking NATS call made inside Receive, so the key is gone before the
// actor is), and reports the end of the term.
func (a *electionActor) shutdown(ctx actor.Context, reason DemoteReason) {
	if a.timers != nil {
		a.timers.CancelAll()
	}
	if a.attempt != nil {
		res := a.attempt.wait()
		a.attempt = nil
		if res.err == nil {
			a.releaseNow(res.lease)
		}
	}
	leading, lease, token := a.sm.State() == fsm.StateLeader, a.lease, a.token
	if leading {
		a.tel.leaderDuration.Record(context.Background(), time.Since(a.termStarted).Seconds(), a.tel.labels)
	}
	if leading && (a.deleteOnStop || reason == ReasonFailed) {
		a.releaseNow(lease)
	}
	if a.sm.State() != fsm.StateStopped {
		a.fire(ctx, fsm.EvStop)
	}
	if leading {
		a.clearTerm()
		a.emit(ctx, &Demoted{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Token: token, Reason: reason})
	}
	if reason == ReasonFailed {
		a.closeStore()
		a.stopTelemetry()
	}
	a.publish()
}

// stopTelemetry ends the lease gauge's callback.
func (a *electionActor) stopTelemetry() {
	if a.unwatch != nil {
		a.unwatch()
		a.unwatch = nil
	}
}

// releaseNow deletes the lease's key, waiting at most the operation timeout.
func (a *electionActor) releaseNow(lease transport.Lease) {
	if a.store == nil {
		return
	}
	sctx, span := a.tel.startOp(context.Background(), spanRelease, lease.Term)
	rctx, cancel := context.WithTimeout(sctx, a.cfg.OpTimeout)
	defer cancel()
	err := a.store.Release(rctx, lease)
	a.tel.endOp(sctx, span, "release", err)
	if err != nil && !errors.Is(err, transport.ErrConflict) {
		a.logger().Warn("release on stop failed; the lease will expire by TTL", "err", err)
	}
}

// closeStore releases the store once the children using it are gone.
func (a *electionActor) closeStore() {
	if a.opening != nil {
		// Still opening: wait for it (bounded by OpTimeout) to close what
		// it opens.
		if res := <-a.opening; res.store != nil {
			res.store.Close()
		}
		a.opening = nil
	}
	if a.store != nil && a.store != a.shared {
		a.store.Close()
	}
	a.store = nil
}
