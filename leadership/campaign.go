package leadership

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// attempt is one acquisition in flight. Its goroutine puts the result on
// done and then tells the actor with *attemptFinished; the actor (or its
// shutdown) is the only reader.
type attempt struct {
	seq    uint64
	nonce  string
	sentAt time.Time
	done   chan attemptResult
}

// attemptResult is what Acquire returned.
type attemptResult struct {
	lease transport.Lease
	err   error
}

// wait returns the attempt's result; the goroutine is bounded by the
// operation timeout.
func (at *attempt) wait() attemptResult { return <-at.done }

// maybeCampaign moves a follower that may campaign back to Candidate, or
// schedules the next attempt of a candidate.
func (a *electionActor) maybeCampaign(ctx actor.Context) {
	if !a.mayCampaign() {
		return
	}
	switch a.sm.State() {
	case fsm.StateFollower:
		if wait := time.Until(a.holdOffUntil); wait > 0 {
			a.timers.After(campaignTimer, 0, wait)
			return
		}
		a.fire(ctx, fsm.EvKeyReleased)
		a.scheduleCampaign()
	case fsm.StateCandidate:
		a.scheduleCampaign()
	}
}

// mayCampaign reports whether this candidate should try to acquire now.
func (a *electionActor) mayCampaign() bool {
	return a.store != nil && a.keyFree && a.healthy && !a.childFailed && a.attempt == nil
}

// scheduleCampaign arms the campaign timer after the herd jitter.
func (a *electionActor) scheduleCampaign() {
	a.timers.After(campaignTimer, 0, a.jitter())
}

// jitter is a random delay up to CampaignJitter, shorter for a higher
// priority, that spreads candidates woken by the same event.
func (a *electionActor) jitter() time.Duration {
	return time.Duration(rand.Int64N(int64(a.cfg.CampaignJitter)+1)) / time.Duration(1+a.cfg.Priority)
}

// onCampaignTick starts an attempt if still allowed.
func (a *electionActor) onCampaignTick(ctx actor.Context) {
	switch a.sm.State() {
	case fsm.StateFollower:
		if a.mayCampaign() && time.Now().After(a.holdOffUntil) {
			a.fire(ctx, fsm.EvCampaign)
			a.startAttempt(ctx)
		}
	case fsm.StateCandidate:
		if a.store != nil && a.healthy && !a.childFailed && a.attempt == nil {
			a.startAttempt(ctx)
		}
	}
}

// startAttempt runs Acquire in a goroutine bounded by the operation timeout,
// unless the circuit breaker is open.
func (a *electionActor) startAttempt(ctx actor.Context) {
	if ok, wait := a.breaker.allow(time.Now()); !ok {
		a.timers.After(campaignTimer, 0, wait)
		a.publish()
		return
	}
	a.attemptSeq++
	a.attempts++
	at := &attempt{seq: a.attemptSeq, nonce: randomHex(8), sentAt: time.Now(), done: make(chan attemptResult, 1)}
	a.attempt = at
	rec := transport.Record{
		Holder:     a.cfg.InstanceID,
		Nonce:      at.nonce,
		Priority:   a.cfg.Priority,
		AcquiredAt: at.sentAt,
		TTL:        a.cfg.TTL,
	}
	store, role, timeout, tel := a.store, a.cfg.Role, a.cfg.OpTimeout, a.tel
	system, self := ctx.ActorSystem(), ctx.Self()
	links := linkTo(a.prevTermTrace, "previous_term")
	go func() {
		sctx, span := tel.startOp(context.Background(), spanAcquire, 0, links...)
		rec.Trace = traceparent(sctx)
		actx, cancel := context.WithTimeout(sctx, timeout)
		defer cancel()
		tel.attempts.Add(sctx, 1, tel.labels)
		lease, err := store.Acquire(actx, role, rec)
		span.SetAttributes(attrTerm.Int64(int64(lease.Term)))
		tel.endOp(sctx, span, "acquire", err)
		at.done <- attemptResult{lease: lease, err: err}
		actors.SendTraced(system.Root, sctx, self, &attemptFinished{seq: at.seq})
	}()
	a.logger().Debug("campaigning", "attempt", at.seq)
}

// onAttemptFinished acts on an acquisition's result: only the create's
// acknowledgement makes a leader.
func (a *electionActor) onAttemptFinished(ctx actor.Context, msg *attemptFinished) {
	at := a.attempt
	if at == nil || at.seq != msg.seq {
		return // settled by shutdown already
	}
	res := at.wait()
	a.attempt = nil
	switch {
	case res.err == nil || errors.Is(res.err, transport.ErrConflict):
		a.breaker.record(true, time.Now())
	default:
		if a.breaker.record(false, time.Now()) {
			a.logger().Warn("circuit breaker open: acquisition paused", "failures", a.breaker.failures, "cooldown", a.cfg.BreakerCooldown)
		}
	}
	switch {
	case res.err == nil && (!a.healthy || a.childFailed):
		// Conditions changed while the create was in flight: hand the lease
		// back without announcing a term nobody could use.
		a.releaseAsync(ctx, res.lease, nil)
		a.fire(ctx, eventFor(a.healthy))
	case res.err == nil:
		a.retry.Reset()
		a.retryDelay = 0
		a.promote(ctx, res.lease, at)
	case errors.Is(res.err, transport.ErrConflict):
		a.retry.Reset()
		a.retryDelay = 0
		a.fire(ctx, fsm.EvLostRace)
		// The watch says whether someone holds the key now. If it still
		// says free when this timer fires, no winner showed up (the
		// winner's lease may have lapsed at once): campaign again rather
		// than wait for a change that may never come.
		a.timers.After(campaignTimer, 0, a.cfg.PollInterval+a.jitter())
	default:
		// Transient, permanent or unknown: we are not the leader. An unknown
		// outcome may have left our create in place; nobody can take the key
		// until it expires, and we never act on it.
		a.lastErr = res.err
		delay := a.retry.NextBackOff()
		a.retryDelay = delay
		a.logger().Warn("acquisition failed; retrying", "err", res.err, "class", transport.ClassOf(res.err).String(), "retry_in", delay)
		a.timers.After(campaignTimer, 0, delay)
	}
	a.publish()
}

// eventFor is the event that moves a candidate that must not campaign.
func eventFor(healthy bool) fsm.Event {
	if !healthy {
		return fsm.EvUnhealthy
	}
	return fsm.EvChildFailed
}

// onKeyObserved follows the role's key: it learns who leads and campaigns
// when the key is free.
func (a *electionActor) onKeyObserved(ctx actor.Context, ev transport.KeyEvent) {
	if ev.Kind == transport.KeyPut {
		a.keyFree = false
		name, token := ForeignHolder, Token{}
		if ev.Entry.Malformed == nil {
			rec := ev.Entry.Record
			if rec.Holder != a.cfg.InstanceID {
				a.prevTermTrace = rec.Trace
			}
			name = rec.Holder
			token = Token{Role: a.cfg.Role, Holder: rec.Holder, Revision: ev.Entry.Term(), Nonce: rec.Nonce}
		}
		a.observeLeader(ctx, name, token)
		switch a.sm.State() {
		case fsm.StateCandidate:
			if a.attempt == nil { // else the create's answer decides
				a.fire(ctx, fsm.EvLeaderObserved)
			}
		case fsm.StateLeader:
			// Another term at a later revision: our lease is gone for certain.
			if token != a.token && ev.Entry.Revision > a.lease.Revision {
				a.demote(ctx, a.lostLeaseEvent(), false)
			}
		}
		return
	}
	a.keyFree = true
	a.observeLeader(ctx, "", Token{})
	if a.sm.State() == fsm.StateLeader {
		// The key moved past our revision: our lease is gone for certain.
		if ev.Kind != transport.KeyAbsent && ev.Entry.Revision > a.lease.Revision {
			a.demote(ctx, a.lostLeaseEvent(), false)
			a.maybeCampaign(ctx)
		}
		return
	}
	a.maybeCampaign(ctx)
}

// observeLeader records the holder seen in the store and tells listeners
// when it changed.
func (a *electionActor) observeLeader(ctx actor.Context, name string, token Token) {
	if name == a.leaderName && token == a.leader {
		return
	}
	a.leaderName, a.leader = name, token
	a.emit(ctx, &LeaderChanged{Role: a.cfg.Role, Leader: name, Token: token})
	a.publish()
}

// receiveNotLeading is the Candidate and the Follower behaviour: both
// handle the same messages, and the handlers act on the state they are in.
func (a *electionActor) receiveNotLeading(ctx actor.Context) {
	if a.receiveCommon(ctx) {
		return
	}
	if msg, ok := ctx.Message().(*keyObserved); ok {
		a.onKeyObserved(ctx, msg.event)
	}
}

// lostLeaseEvent is the event for a leader that learned its lease moved on:
// after a reconnect, that refutes the lease it was about to prove.
func (a *electionActor) lostLeaseEvent() fsm.Event {
	if a.proving {
		return fsm.EvReconnectRefuted
	}
	return fsm.EvRenewConflict
}
