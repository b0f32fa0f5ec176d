package leadership

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
	"go.opentelemetry.io/otel/trace"
)

// The election's store calls: each effect that touches the store is an
// interpret.Call, the code the simulation runs too, made here outside
// Receive, traced and bounded by OpTimeout (runOp), and answered as a
// callDone, which the same code turns into the core's input.

// callStore makes call outside Receive. The call runs with only what it
// needs of the election (its kind, the store, the telemetry): a call in
// flight is kept alive for as long as its answer takes, for every leader
// renewing at once.
func (a *electionActor) callStore(ctx actor.Context, call interpret.Call) {
	kind, store, tel := call.Effect.Kind, a.store, a.tel
	var links []trace.SpanStartOption
	switch kind {
	case fsm.DoAcquire:
		links = linkTo(a.terms.prevTrace, "previous_term")
		a.logger().Debug("campaigning", "attempt", call.Effect.Seq, "by", call.Effect.By.String())
	case fsm.DoRelease:
		if call.Effect.Left {
			a.logger().Info("releasing a term of ours left under our session", "term", call.Effect.Lease.Term)
		}
	case fsm.DoOffer:
		a.logger().Info("offering the lease", "successor", call.Effect.Successor)
	}
	a.runOp(ctx, spanOf(kind), call.Name(), call.Lease.Term, func(traced, bounded context.Context) (any, error) {
		if kind == fsm.DoAcquire {
			call.Lease.Record.Trace = traceparent(traced)
			tel.attempts.Add(traced, 1, tel.labels)
		}
		start := time.Now()
		ans := call.Do(bounded, store)
		ans.Start = start
		switch kind {
		case fsm.DoAcquire:
			trace.SpanFromContext(traced).SetAttributes(attrTerm.Int64(int64(ans.Lease.Term)))
		case fsm.DoRenew:
			tel.heartbeat.Record(traced, time.Since(start).Seconds(), tel.labels)
		}
		return &callDone{call: call, answer: ans}, ans.Err
	}, links...)
}

// spanOf is the span a store call is traced as.
func spanOf(kind fsm.EffectKind) string {
	switch kind {
	case fsm.DoAcquire, fsm.DoConfirm:
		return spanAcquire
	case fsm.DoRenew:
		return spanRenew
	default:
		return spanRelease
	}
}

// onCallDone tells the core how a store call answered: a won term's
// record is kept for its renewals and its release, an error is noted for
// Status and the log; the core decides what the answer means.
func (a *electionActor) onCallDone(ctx actor.Context, msg *callDone, now time.Time) {
	call, ans := msg.call, msg.answer
	kind := call.Effect.Kind
	switch {
	case ans.Err != nil && kind == fsm.DoRenew:
		a.lastErr = ans.Err
		a.logger().Warn("renewal failed", "class", transport.ClassOf(ans.Err).String(), "err", ans.Err)
	case ans.Err != nil:
		a.noteError(call.Name()+" failed", ans.Err)
	case kind == fsm.DoAcquire:
		a.terms.records.put(ans.Lease.Term, ans.Lease.Record)
	case kind == fsm.DoRenew:
		a.logger().Debug("renewed", "revision", ans.Lease.Revision)
	case kind == fsm.DoRead:
		a.noteHolder(ans.Event)
	}
	in := call.Input(ans)
	in.At = now
	a.step(ctx, in)
}

// self is the election as its records name it.
func (a *electionActor) self() interpret.Self {
	return interpret.Self{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Priority: a.cfg.Priority, TTL: a.cfg.TTL}
}
