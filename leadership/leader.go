package leadership

import (
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// promote makes this candidate the leader of the term it just acquired.
func (a *electionActor) promote(ctx actor.Context, lease transport.Lease, at *attempt) {
	a.lease = lease
	a.token = Token{Role: a.cfg.Role, Holder: a.cfg.InstanceID, Revision: lease.Term, Nonce: at.nonce}
	// The lease was valid from when the create was sent, at the latest.
	a.lastRenewal = at.sentAt
	a.termStarted = time.Now()
	a.proving = false
	a.keyFree = false
	if !a.fire(ctx, fsm.EvAcquired) {
		a.releaseAsync(ctx, lease, nil)
		a.clearTerm()
		return
	}
	a.armDeadline()
	a.heartbeatPID = ctx.Spawn(newHeartbeatProps(a.store, a.tel, a.token.Revision, a.cfg.HeartbeatInterval, a.cfg.OpTimeout))
	ctx.Send(a.heartbeatPID, &leaseUpdate{term: a.token.Revision, lease: a.lease})
	if !a.connected {
		a.timers.After(graceTimer, a.token.Revision, a.cfg.DisconnectGrace)
	}
	a.logger().Info("promoted", "term", a.token.Revision, "token", a.token.String())
	a.emit(ctx, &Promoted{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Token: a.token})
	a.observeLeader(ctx, a.cfg.InstanceID, a.token)
	a.publish()
}

// armDeadline (re)arms the self-demotion deadline: RenewDeadline after the
// last successful renewal was sent.
func (a *electionActor) armDeadline() {
	a.timers.After(deadlineTimer, a.token.Revision, time.Until(a.lastRenewal.Add(a.cfg.RenewDeadline)))
}

// demote ends the term for ev. With release, the key is deleted afterwards
// (outside the actor), so the next leader need not wait for the TTL.
func (a *electionActor) demote(ctx actor.Context, ev fsm.Event, release bool) {
	a.demoteWith(ctx, ev, release, nil)
}

// demoteWith is demote, answering waiter once the release finished.
func (a *electionActor) demoteWith(ctx actor.Context, ev fsm.Event, release bool, waiter *resignWaiter) {
	lease, token := a.lease, a.token
	if a.heartbeatPID != nil {
		ctx.Stop(a.heartbeatPID)
		a.heartbeatPID = nil
	}
	a.timers.Cancel(deadlineTimer)
	a.timers.Cancel(graceTimer)
	if !a.fire(ctx, ev) {
		return
	}
	a.clearTerm()
	a.tel.leaderDuration.Record(context.Background(), time.Since(a.termStarted).Seconds(), a.tel.labels)
	reason := reasonFor(ev)
	a.logger().Info("demoted", "term", token.Revision, "reason", string(reason))
	a.emit(ctx, &Demoted{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Token: token, Reason: reason})
	if release {
		a.releaseAsync(ctx, lease, waiter)
	}
	a.publish()
}

// clearTerm forgets the term's lease and token.
func (a *electionActor) clearTerm() {
	a.lease, a.token, a.proving = transport.Lease{}, Token{}, false
}

// reasonFor names the demotion an event causes.
func reasonFor(ev fsm.Event) DemoteReason {
	switch ev {
	case fsm.EvRenewConflict:
		return ReasonRenewConflict
	case fsm.EvRenewDeadline:
		return ReasonRenewDeadline
	case fsm.EvDisconnectGrace:
		return ReasonDisconnected
	case fsm.EvReconnectRefuted:
		return ReasonReconnectRefuted
	case fsm.EvUnhealthy:
		return ReasonUnhealthy
	case fsm.EvChildFailed:
		return ReasonChildFailed
	case fsm.EvResign:
		return ReasonResigned
	default:
		return ReasonStopped
	}
}

// releaseAsync deletes the lease's key in a goroutine and reports
// *released.
func (a *electionActor) releaseAsync(ctx actor.Context, lease transport.Lease, waiter *resignWaiter) {
	store, timeout, tel := a.store, a.cfg.OpTimeout, a.tel
	system, self := ctx.ActorSystem(), ctx.Self()
	go func() {
		sctx, span := tel.startOp(context.Background(), spanRelease, lease.Term)
		rctx, cancel := context.WithTimeout(sctx, timeout)
		defer cancel()
		err := store.Release(rctx, lease)
		tel.endOp(sctx, span, "release", err)
		actors.SendTraced(system.Root, sctx, self, &released{err: err, replyTo: waiter})
	}()
}

// onReleased answers a Resign waiting for its release.
func (a *electionActor) onReleased(msg *released) {
	err := msg.err
	if errors.Is(err, transport.ErrConflict) {
		err = nil // the key had moved on already: nothing of ours is left
	}
	if err != nil {
		a.lastErr = err
		a.logger().Warn("release failed; the lease will expire by TTL", "err", err)
	}
	if msg.replyTo != nil {
		msg.replyTo.reply(&ResignResult{Err: err})
	}
}

// resign releases the lease and demotes; the sender is answered once the
// release finished. The candidate then holds off campaigning.
func (a *electionActor) resign(ctx actor.Context) {
	var waiter *resignWaiter
	if sender := ctx.Sender(); sender != nil {
		system := ctx.ActorSystem()
		waiter = &resignWaiter{reply: func(r *ResignResult) { system.Root.Send(sender, r) }}
	}
	a.holdOffUntil = time.Now().Add(a.cfg.ResignHoldOff)
	a.demoteWith(ctx, fsm.EvResign, true, waiter)
}

// receiveLeader is the Leader behaviour.
func (a *electionActor) receiveLeader(ctx actor.Context) {
	if a.receiveCommon(ctx) {
		return
	}
	switch msg := ctx.Message().(type) {
	case *keyObserved:
		a.onKeyObserved(ctx, msg.event)
	case *renewed:
		if msg.term != a.token.Revision {
			return
		}
		a.lease = msg.lease
		if msg.sentAt.After(a.lastRenewal) {
			a.lastRenewal = msg.sentAt
		}
		if a.proving {
			a.proving = false
			a.logger().Info("lease proven after reconnect", "term", a.token.Revision)
		}
		a.armDeadline()
		a.logger().Debug("renewed", "term", a.token.Revision, "revision", msg.lease.Revision)
		a.publish()
	case *renewFailed:
		if msg.term != a.token.Revision {
			return
		}
		a.lastErr = msg.err
		class := transport.ClassOf(msg.err)
		a.logger().Warn("renewal failed", "term", a.token.Revision, "class", class.String(), "err", msg.err)
		switch class {
		case transport.ClassConflict, transport.ClassPermanent:
			a.demote(ctx, a.lostLeaseEvent(), false)
		default:
			// Not proven either way: keep trying until the deadline.
			a.publish()
		}
	}
}
