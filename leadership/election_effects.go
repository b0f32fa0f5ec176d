package leadership

import (
	"context"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
	"go.opentelemetry.io/otel/trace"
)

// carryOut does what one effect of the decision core asks. A store call
// (internal/interpret, the same code the simulation runs) and the opening
// of the store run outside Receive (actors.Run) and come back as replies.
func (a *electionActor) carryOut(ctx actor.Context, e fsm.Effect) {
	if call, ok := interpret.NewCall(e, a.self(), a.clock.Now(), randomHex(8), a.terms.records.get); ok {
		a.callStore(ctx, call)
		return
	}
	switch e.Kind {
	case fsm.DoOpenStore:
		a.openStore(ctx)
	case fsm.DoStartChildren:
		a.startChildren(ctx, e.Child)
	case fsm.DoArmTimer:
		if e.Timer == fsm.TimerHeartbeat {
			a.armBeat(ctx, e.Term, e.After)
		} else {
			a.timers.After(e.Timer.String(), e.Term, e.After)
		}
	case fsm.DoParkHeartbeat:
		a.parkBeat(ctx, e.Term, e.After)
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
	cfg, system, handoff := a.cfg, ctx.ActorSystem(), &storeHandoff{}
	a.opening = handoff
	actors.Run(ctx, func() (context.Context, any) {
		octx, cancel := context.WithTimeout(context.Background(), cfg.Timings.OpTimeout)
		defer cancel()
		store, err := openShared(octx, system, *cfg)
		if store != nil {
			handoff.put(store)
		}
		return nil, &storeOpened{handoff: handoff, err: err}
	})
}

// startChildren starts the named children that are not running.
func (a *electionActor) startChildren(ctx actor.Context, which fsm.Child) {
	a.children.start(ctx, which, a.cfg)
	a.logger().Info("election ready", "bucket", a.cfg.Bucket.Name)
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
	answer(ctx, &a.waiters().resign, &ResignResult{Err: err})
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
	a.store.ReleaseLater(transport.Lease{Role: a.cfg.Role, Term: l.Term, Revision: l.Revision, Record: a.terms.records.get(l.Term)})
	a.logger().Warn("release did not finish before the stop; the store releases it later if a session keeps it", "term", l.Term)
}

// finish answers the stop requests and stops the actor. The core asks for
// it once, on the move into StateStopped.
func (a *electionActor) finish(ctx actor.Context) {
	answer(ctx, &a.waiters().stop, &electionEnded{})
	ctx.Stop(ctx.Self())
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
