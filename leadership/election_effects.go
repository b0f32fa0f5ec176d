package leadership

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
	"go.opentelemetry.io/otel/trace"
)

// carryOut does what one effect of the decision core asks. Writes and the
// opening of the store run outside Receive (actors.Run) and come back as
// replies tagged with their attempt or term.
func (a *electionActor) carryOut(ctx actor.Context, e fsm.Effect) {
	switch e.Kind {
	case fsm.DoOpenStore:
		a.openStore(ctx)
	case fsm.DoStartChildren:
		a.startChildren(ctx, e.Child)
	case fsm.DoAcquire:
		a.acquire(ctx, e)
	case fsm.DoRenew:
		a.renew(ctx, e.Lease)
	case fsm.DoRelease:
		if e.Left {
			a.logger().Info("releasing a term of ours left under our session", "term", e.Lease.Term)
		}
		a.releaseLease(ctx, e.Lease)
	case fsm.DoConfirm:
		a.confirm(ctx, e.Seq, e.Lease)
	case fsm.DoRead:
		a.read(ctx, e.Seq, e.Lease.Term)
	case fsm.DoOffer:
		a.offer(ctx, e.Lease, e.Successor)
	case fsm.DoArmTimer:
		if e.Timer == fsm.TimerHeartbeat {
			a.armBeat(ctx, e.Term, e.After)
		} else {
			a.timers.After(e.Timer.String(), e.Term, e.After)
		}
	case fsm.DoCancelTimer:
		if e.Timer == fsm.TimerHeartbeat {
			a.stopHeartbeat(ctx)
		} else {
			a.timers.Cancel(e.Timer.String())
		}
	case fsm.DoMoved:
		a.moved(e)
		a.logger().Info("transition", "from", string(e.From), "to", string(e.To), "cause", string(e.Event))
		a.tel.transition(actors.TraceContext(ctx), fsm.Transition{From: e.From, To: e.To, Event: e.Event, Changed: true}, a.term())
	case fsm.DoPromoted:
		a.terms.started = a.clock.Now()
		token := a.tokenOf(e.Lease)
		a.logger().Info("promoted", "term", token.Revision, "token", token.String())
		a.emit(ctx, &Promoted{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Token: token})
	case fsm.DoDemoted:
		a.tel.leaderDuration.Record(context.Background(), a.clock.Now().Sub(a.terms.started).Seconds(), a.tel.labels)
		a.logger().Info("demoted", "term", e.Lease.Term, "reason", string(e.Reason))
		a.emit(ctx, &Demoted{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Token: a.tokenOf(e.Lease), Reason: DemoteReason(e.Reason)})
	case fsm.DoLeaderChanged:
		a.emit(ctx, a.leaderChanged(e.Holder))
	case fsm.DoAnswerResign:
		a.answerResign(ctx, e.Err)
	case fsm.DoWarn:
		a.warn(ctx, e.Err)
	case fsm.DoFail:
		err := a.errorOf(e.Err)
		a.logger().Error("election cannot run", "err", err)
		a.emit(ctx, &Failed{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Err: err})
	case fsm.DoFinish:
		if e.Lease.Term != 0 {
			a.releaseLater(e.Lease)
		}
		a.finish(ctx)
	}
}

// openStore takes a share of the actor system's store for the connection and
// bucket, opened if needed within OpTimeout.
func (a *electionActor) openStore(ctx actor.Context) {
	cfg, system := a.cfg, ctx.ActorSystem()
	actors.Run(ctx, func() (context.Context, any) {
		octx, cancel := context.WithTimeout(context.Background(), cfg.Timings.OpTimeout)
		defer cancel()
		store, err := openShared(octx, system, cfg)
		return nil, &storeOpened{store: store, err: err}
	})
}

// startChildren starts the named children that are not running.
func (a *electionActor) startChildren(ctx actor.Context, which fsm.Child) {
	a.children.start(ctx, which, a.store, a.cfg)
	a.logger().Info("election ready", "bucket", a.cfg.Bucket.Name)
}

// acquire writes the role's key with a fresh nonce as the core chose:
// a create, a write over a revision, or a takeover, each one round trip;
// the reply carries the attempt's Seq.
func (a *electionActor) acquire(ctx actor.Context, e fsm.Effect) {
	seq := e.Seq
	nonce, sentAt := randomHex(8), a.clock.Now()
	rec := transport.Record{Holder: a.cfg.InstanceID, Nonce: nonce, Priority: a.cfg.Priority, AcquiredAt: sentAt, TTL: a.cfg.TTL}
	store, role, tel := a.store, a.cfg.Role, a.tel
	a.runOp(ctx, spanAcquire, "acquire", 0, func(traced, bounded context.Context) (any, error) {
		rec.Trace = traceparent(traced)
		tel.attempts.Add(traced, 1, tel.labels)
		start := time.Now()
		lease, err := interpret.Acquire(bounded, store, role, rec, e)
		trace.SpanFromContext(traced).SetAttributes(attrTerm.Int64(int64(lease.Term)))
		return &acquireDone{seq: seq, nonce: nonce, sentAt: provenAt(sentAt, start, lease.Proof), lease: lease, err: err}, err
	}, linkTo(a.terms.prevTrace, "previous_term")...)
	a.logger().Debug("campaigning", "attempt", seq)
}

// renew rewrites our lease at its newest revision; the reply carries the
// term and when the renewal was sent, from which the deadline counts. A
// session lease whose session was just renewed is answered at once, with
// no call to run: the proof is already there.
func (a *electionActor) renew(ctx actor.Context, l fsm.Lease) {
	lease, store, tel, clock := a.leaseOf(l), a.store, a.tel, a.clock
	if next, fresh := store.FreshProof(lease); fresh {
		ctx.Send(ctx.Self(), &renewDone{term: lease.Term, sentAt: provenAt(clock.Now(), time.Now(), next.Proof), lease: next})
		return
	}
	a.runOp(ctx, spanRenew, "renew", lease.Term, func(traced, bounded context.Context) (any, error) {
		// sentAt is on the election's clock, start on the store's: the
		// store's proof, if any, is moved by their difference.
		sentAt, start := clock.Now(), time.Now()
		next, err := store.Renew(bounded, lease)
		tel.heartbeat.Record(traced, time.Since(start).Seconds(), tel.labels)
		return &renewDone{term: lease.Term, sentAt: provenAt(sentAt, start, next.Proof), lease: next, err: err}, err
	})
}

// confirm reads a won claim back from the stream leader: whether the
// offer's expiry marker erased it, and when the server stored it, which
// the core compares with the offer's stamp. The reply carries seq; the
// claim's send time stays the deadline's base (the core keeps it).
func (a *electionActor) confirm(ctx actor.Context, seq uint64, l fsm.Lease) {
	lease, store, clock := a.leaseOf(l), a.store, a.clock
	a.runOp(ctx, spanAcquire, "confirm", lease.Term, func(_, bounded context.Context) (any, error) {
		sentAt := clock.Now()
		next, err := store.Confirm(bounded, lease)
		return &confirmDone{seq: seq, sentAt: sentAt, lease: next, err: err}, err
	})
}

// releaseLease deletes our lease's key at the revision the core gives: the
// newest it knows of.
func (a *electionActor) releaseLease(ctx actor.Context, l fsm.Lease) {
	lease, store := a.leaseOf(l), a.store
	a.runOp(ctx, spanRelease, "release", lease.Term, func(_, bounded context.Context) (any, error) {
		err := store.Release(bounded, lease)
		return &releaseDone{term: lease.Term, err: err}, err
	})
}

// read reads what the role's key holds from the stream leader for the
// core (for term's refused release, or 0: a refused acquisition); the
// reply carries seq.
func (a *electionActor) read(ctx actor.Context, seq, term uint64) {
	store, role := a.store, a.cfg.Role
	a.runOp(ctx, spanRelease, "read", term, func(_, bounded context.Context) (any, error) {
		ev, err := store.Read(bounded, role)
		return &readDone{seq: seq, event: ev, err: err}, err
	})
}

// offer hands our lease to successor in one revision-checked write; the
// reply is a release's, since the lease is no longer ours either way.
func (a *electionActor) offer(ctx actor.Context, l fsm.Lease, successor string) {
	lease, store := a.leaseOf(l), a.store
	a.runOp(ctx, spanRelease, "offer", lease.Term, func(_, bounded context.Context) (any, error) {
		_, err := store.Offer(bounded, lease, successor)
		return &releaseDone{term: lease.Term, err: err}, err
	})
	a.logger().Info("offering the lease", "successor", successor)
}

// runOp carries out one store call outside Receive (actors.Run): traced as
// span (op names it in the metrics), bounded by OpTimeout. call gets the
// traced context and the bounded one, and returns the reply for the actor
// with the call's error.
func (a *electionActor) runOp(ctx actor.Context, span, op string, term uint64, call func(traced, bounded context.Context) (any, error), links ...trace.SpanStartOption) {
	timeout, tel := a.cfg.Timings.OpTimeout, a.tel
	actors.Run(ctx, func() (context.Context, any) {
		traced, s := tel.startOp(context.Background(), span, term, links...)
		bounded, cancel := context.WithTimeout(traced, timeout)
		defer cancel()
		reply, err := call(traced, bounded)
		tel.endOp(traced, s, op, err)
		return traced, reply
	})
}

// provenAt is when the write proving a lease was sent, on the election's
// clock: sentAt, when the call's own write is the proof; else the store's
// proof (a session renewal, on the store's clock), moved by how long before
// or after the call began (start, on the store's clock) it was sent.
func provenAt(sentAt, start, proof time.Time) time.Time {
	if proof.IsZero() {
		return sentAt
	}
	return sentAt.Add(proof.Sub(start))
}

// answerResign answers every waiting Resign.
func (a *electionActor) answerResign(ctx actor.Context, why string) {
	var err error
	switch why {
	case "":
	case fsm.ResignNotLeader:
		err = ErrNotLeader
	case fsm.ResignStopped:
		err = ErrStopped
	case fsm.ResignNoSuccessor:
		err = ErrNoSuccessor
	default:
		err = fmt.Errorf("resign: %s", why)
		a.logger().Warn("release failed; the lease will expire by TTL", "err", why)
	}
	answer(ctx, &a.waiting.resign, &ResignResult{Err: err})
}

// warn tells the parent, the EventStream and the log that the election
// cannot make progress.
func (a *electionActor) warn(ctx actor.Context, what string) {
	err := a.errorOf(what)
	a.logger().Warn("election cannot make progress", "err", err)
	a.emit(ctx, &Warning{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Err: err})
}

// releaseLater hands the store a term of ours whose release did not
// finish before the stop: with sessions nobody else may take its key while
// the store's session lives, so the store keeps trying.
func (a *electionActor) releaseLater(l fsm.Lease) {
	lease := a.leaseOf(l)
	a.store.ReleaseLater(lease)
	a.logger().Warn("release did not finish before the stop; the store releases it later if a session keeps it", "term", l.Term)
}

// finish answers the stop requests and stops the actor. The core asks for
// it once, on the move into StateStopped.
func (a *electionActor) finish(ctx actor.Context) {
	answer(ctx, &a.waiting.stop, &electionEnded{})
	ctx.Stop(ctx.Self())
}

// leaseOf is the transport lease of one of the core's leases.
func (a *electionActor) leaseOf(l fsm.Lease) transport.Lease {
	return transport.Lease{Role: a.cfg.Role, Term: l.Term, Revision: l.Revision, Record: a.terms.records.get(l.Term)}
}

// tokenOf is the fencing token of one of our terms.
func (a *electionActor) tokenOf(l fsm.Lease) Token {
	return Token{Role: a.cfg.Role, Holder: a.cfg.InstanceID, Revision: l.Term, Nonce: l.Nonce}
}

// leaderChanged is the message for a new holder seen in the store.
func (a *electionActor) leaderChanged(h fsm.Holder) *LeaderChanged {
	msg := &LeaderChanged{Role: a.cfg.Role, Leader: h.Name}
	if h.Name != "" && !h.Foreign {
		msg.Token = Token{Role: a.cfg.Role, Holder: h.Name, Revision: h.Term, Nonce: h.Nonce}
	}
	return msg
}
