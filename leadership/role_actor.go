package leadership

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
)

// roleActor runs one role for one instance, as an interpreter of the role
// lifecycle (fsm.RoleStep): it owns the role's election (a child) and, while
// the election leads, the term's actors: the role's work actors and the role
// actors of its child roles (children too), so a child role campaigns only
// while this instance leads its parent. Every decision (when a term is
// reported over, what waits, how the role ends) is a row of the lifecycle.
//
// Its fields are touched only from Receive.
type roleActor struct {
	env  *roleEnv
	spec *RoleSpec // in env.tree
	log  *slog.Logger

	state    fsm.RoleState
	inbox    []fsm.RoleInput       // inputs raised while carrying out effects
	queue    *callbackQueue        // runs OnPromote and OnDemote, one at a time, in order
	election *actor.PID            // nil once it terminated
	work     map[string]*actor.PID // by PID ID; made with the first
	children map[string]*actor.PID // child role -> its role actor; made with the first
	terms    roleTerms             // the election's reports of terms not yet reported over
	termEnd  context.CancelFunc    // cancels OnPromote's context

	finish *roleFinish // nil until the first finishRole
}

// roleFinish is what the requests to finish a role asked, kept from the
// first: a running role has none, and costs nothing for them.
type roleFinish struct {
	keepLease bool         // a held lease is left to expire
	waiters   []*actor.PID // senders of finishRole, answered when the role ended
}

// roleEnv is what every role actor of one manager shares.
type roleEnv struct {
	tree     *roleTree
	reportTo *actor.PID // the manager: receives events and election snapshots; nil for none
	// onStatus, when set, sees every election snapshot on the election's
	// goroutine, before the election reports what changed.
	onStatus func(*Status)
}

// newRoleProps returns the props of role's actor. Its children (election,
// work and child roles) are restarted with backoff and, when they keep
// failing, stopped.
func newRoleProps(env *roleEnv, role string) *actor.Props {
	spec := &env.tree.node(role).spec
	return actor.PropsFromProducer(
		func() actor.Actor {
			return &roleActor{
				env:   env,
				spec:  spec,
				log:   spec.Config.Telemetry.Logger.With("role", role, "instance", env.tree.instanceID),
				state: fsm.NewRoleState(spec.ResignAfterWorkFailures),
			}
		},
		actor.WithSupervisor(reportingSupervisor{inner: childSupervision(spec.Config.Timings.RenewDeadline)}),
		roleMailbox,
	)
}

// Receive implements actor.Actor: every message becomes an input of the
// role lifecycle.
func (a *roleActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.queue = newCallbackQueue(ctx.ActorSystem(), ctx.Self())
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInStart})
	case *Promoted:
		a.terms.put(msg)
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInPromoted, Term: roleTerm(msg.Token), Actors: len(a.spec.Work) + len(a.env.tree.childrenOf(a.spec.Role))})
	case *Demoted:
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInDemoted, Term: roleTerm(msg.Token), Reason: fsm.Reason(msg.Reason)})
	case *LeaderChanged, *Failed:
		a.report(ctx, msg)
	case *Warning:
		a.report(ctx, msg)
		if f, err := a.spec.OnError, msg.Err; f != nil {
			a.queue.push(func() { f(err) })
		}
	case *Resign:
		if a.election == nil {
			ctx.Respond(&ResignResult{Err: ErrStopped})
			return
		}
		ctx.Forward(a.election)
	case *actor.Terminated:
		a.step(ctx, a.terminated(msg.Who))
	case *childFailed:
		if a.work[msg.child.Id] == nil {
			a.log.Warn("child actor failed", "child", msg.child.Id, "reason", fmt.Sprint(msg.reason))
			return
		}
		a.log.Warn("work actor failed", "child", msg.child.Id, "reason", fmt.Sprint(msg.reason))
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInWorkFailed})
	case *actors.ChildGaveUp:
		a.log.Error("child actor kept failing and was stopped", "child", msg.Child.Id, "reason", fmt.Sprint(msg.Reason))
	case *ResignResult:
		if msg.Err != nil {
			a.log.Warn("resigning did not release the lease; it will expire by TTL", "err", msg.Err)
		}
	case *finishRole:
		if a.finish == nil {
			a.finish = &roleFinish{}
		}
		a.finish.keepLease = a.finish.keepLease || msg.keepLease
		if sender := ctx.Sender(); sender != nil {
			a.finish.waiters = append(a.finish.waiters, sender)
		}
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInFinish})
	case *callbackRan:
		a.queue.ran(msg)
	case *callbacksDrained:
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInCallbacksDrained})
	case *actor.Stopping:
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInAbort, Reason: fsm.ReasonStopped})
	case *actor.Restarting:
		a.step(ctx, fsm.RoleInput{Kind: fsm.RoleInAbort, Reason: fsm.ReasonFailed})
		a.queue.close()
	case *actor.Stopped:
		a.queue.close()
	}
}

// step runs the lifecycle on in, and on the inputs its effects raise.
func (a *roleActor) step(ctx actor.Context, in fsm.RoleInput) {
	a.inbox = append(a.inbox, in)
	for len(a.inbox) > 0 {
		next := a.inbox[0]
		a.inbox = a.inbox[1:]
		var effects []fsm.RoleEffect
		a.state, effects = fsm.RoleStep(a.state, next)
		for _, e := range effects {
			a.carryOut(ctx, e)
		}
	}
}

// terminated forgets a child that stopped and says what it was.
func (a *roleActor) terminated(who *actor.PID) fsm.RoleInput {
	switch {
	case who.Equal(a.election):
		a.election = nil
		if !a.state.Finishing {
			a.log.Error("election stopped; the role stays without one until its manager restarts")
		}
		return fsm.RoleInput{Kind: fsm.RoleInElectionGone}
	case a.work[who.Id] != nil:
		delete(a.work, who.Id)
	default:
		for role, pid := range a.children {
			if pid.Equal(who) {
				delete(a.children, role)
			}
		}
	}
	return fsm.RoleInput{Kind: fsm.RoleInActorGone, Actors: len(a.work) + len(a.children)}
}

// carryOut does what one effect of the role lifecycle asks.
func (a *roleActor) carryOut(ctx actor.Context, e fsm.RoleEffect) {
	switch e.Kind {
	case fsm.RoleDoStartElection:
		a.startElection(ctx)
	case fsm.RoleDoPromoted:
		a.reportPromoted(ctx, a.terms.get(e.Term))
	case fsm.RoleDoStartTermActors:
		a.startTermActors(ctx, a.terms.get(e.Term).Token)
	case fsm.RoleDoEndTermContext:
		if a.termEnd != nil {
			a.termEnd()
		}
	case fsm.RoleDoStopTermActors:
		for _, pid := range a.work {
			ctx.Stop(pid)
		}
		for _, pid := range a.children {
			ctx.Send(pid, &finishRole{})
		}
	case fsm.RoleDoDemoted:
		a.reportDemoted(ctx, e)
	case fsm.RoleDoResign:
		a.log.Warn("work keeps failing; resigning", "failures", a.state.Failures)
		if a.election != nil {
			ctx.Request(a.election, &Resign{})
		}
	case fsm.RoleDoStopElection:
		if a.election != nil {
			// Ask, not stop: the election releases its lease and waits for
			// the reply before it terminates.
			ctx.Send(a.election, &stopElection{keepLease: a.finish != nil && a.finish.keepLease})
		}
	case fsm.RoleDoDrainCallbacks:
		system, self := ctx.ActorSystem(), ctx.Self()
		a.queue.push(func() { system.Root.Send(self, &callbacksDrained{}) })
	case fsm.RoleDoStop:
		a.report(ctx, &roleInactive{role: a.spec.Role})
		if a.finish != nil {
			for _, pid := range a.finish.waiters {
				ctx.Send(pid, &roleEnded{})
			}
		}
		ctx.Stop(ctx.Self())
	case fsm.RoleDoIgnoreTerm:
		a.log.Warn("ignoring the end of a term this role did not begin", "term", e.Term.Revision)
		if a.election != nil {
			// No work of it ever ran: its release need not wait.
			ctx.Send(a.election, &WorkStopped{Token: Token{Role: a.spec.Role, Revision: e.Term.Revision, Nonce: e.Term.Nonce}})
		}
	}
}

// startElection spawns the role's election; its snapshots go to the manager.
// The election writes the release or offer of a term it ends only once
// this actor reports the term's work stopped (reportDemoted): a role's
// config asks it to (RoleSpec.withResolved).
func (a *roleActor) startElection(ctx actor.Context) {
	system, env := ctx.ActorSystem(), a.env
	props := newProps(&a.spec.Config, func(st *Status) {
		if env.onStatus != nil {
			env.onStatus(st)
		}
		if env.reportTo != nil {
			system.Root.Send(env.reportTo, &roleSnapshot{status: st})
		}
	})
	a.election = ctx.SpawnPrefix(props, "election")
}

// reportPromoted reports the term to the manager and queues OnPromote with
// a context that ends with the term.
func (a *roleActor) reportPromoted(ctx actor.Context, p *Promoted) {
	termCtx, cancel := context.WithCancel(context.Background())
	a.termEnd = cancel
	a.log.Info("role promoted", "token", p.Token.String())
	a.report(ctx, p)
	if f := a.spec.OnPromote; f != nil {
		a.queue.push(func() { f(termCtx, p.Token) })
	}
}

// startTermActors starts the work actors and the child roles of the term. A
// work actor that cannot start counts as a work failure.
func (a *roleActor) startTermActors(ctx actor.Context, t Token) {
	failed := a.startWork(ctx, t)
	for _, role := range a.env.tree.childrenOf(a.spec.Role) {
		if a.children == nil {
			a.children = map[string]*actor.PID{}
		}
		a.children[role] = ctx.SpawnPrefix(newRoleProps(a.env, role), "role")
	}
	a.inbox = append(a.inbox, fsm.RoleInput{Kind: fsm.RoleInActorGone, Actors: len(a.work) + len(a.children)})
	for range failed {
		a.inbox = append(a.inbox, fsm.RoleInput{Kind: fsm.RoleInWorkFailed})
	}
}

// reportDemoted reports the end of the term to the manager and queues
// OnDemote: the one place a role's Demoted is reported. Once OnDemote has
// returned (and so OnPromote before it: the queue runs them in order, after
// the term's actors stopped), the election hears that the term's work
// stopped and may release or offer the lease.
func (a *roleActor) reportDemoted(ctx actor.Context, e fsm.RoleEffect) {
	if a.termEnd != nil {
		a.termEnd()
		a.termEnd = nil
	}
	var token Token
	if p := a.terms.get(e.Term); p != nil {
		token = p.Token
	}
	a.terms.drop(e.Term)
	d := &Demoted{Role: a.spec.Role, InstanceID: a.env.tree.instanceID, Token: token, Reason: DemoteReason(e.Reason)}
	a.log.Info("role demoted", "token", d.Token.String(), "reason", string(d.Reason))
	a.report(ctx, d)
	f, election, system := a.spec.OnDemote, a.election, ctx.ActorSystem()
	a.queue.push(func() {
		if f != nil {
			f(context.Background(), d.Reason)
		}
		if election != nil {
			system.Root.Send(election, &WorkStopped{Token: d.Token})
		}
	})
}

// report tells the manager, if there is one.
func (a *roleActor) report(ctx actor.Context, msg any) {
	if a.env.reportTo != nil {
		ctx.Send(a.env.reportTo, msg)
	}
}

// roleTerm is the lifecycle's name for a term.
func roleTerm(t Token) fsm.RoleTerm { return fsm.RoleTerm{Revision: t.Revision, Nonce: t.Nonce} }
