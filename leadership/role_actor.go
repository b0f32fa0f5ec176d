package leadership

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
)

// roleActor runs one role for one instance. It owns the role's election (a
// child) and, while the election leads, the role's work actors and the role
// actors of its child roles (children too), so a child role campaigns only
// while this instance leads its parent.
//
// A term ends in one order: the election's Demoted cancels OnPromote's
// context, the work actors are stopped and the child roles finish; only when
// all of them have terminated is the Demoted reported to the manager and
// OnDemote queued. Election messages that arrive meanwhile wait their turn,
// so a new term's Promoted is never reported before the old term's Demoted.
//
// Its fields are touched only from Receive.
type roleActor struct {
	env  *roleEnv
	spec RoleSpec
	log  *slog.Logger

	queue    *callbackQueue        // runs OnPromote and OnDemote, one at a time, in order
	election *actor.PID            // nil once it terminated
	work     map[string]*actor.PID // by PID ID
	children map[string]*actor.PID // child role -> its role actor

	term      *Promoted          // the term reported begun and not yet over
	termEnd   context.CancelFunc // cancels OnPromote's context
	pending   *Demoted           // the term's end, reported once work and child roles are gone
	stash     []any              // election Promoted and Demoted that arrived while pending was set
	failures  int                // work failures within the term
	resigning bool               // Resign sent for the term

	finishing       bool // finishRole received: end in order, then stop
	electionStopped bool // Stop sent to the election while finishing
	drained         bool // callbacksDrained queued
}

// roleEnv is what every role actor of one manager shares.
type roleEnv struct {
	tree     *roleTree
	reportTo *actor.PID // the manager: receives events and election snapshots
	// onStatus, when set, sees every election snapshot on the election's
	// goroutine, before the election reports what changed.
	onStatus func(*Status)
}

// newRoleProps returns the props of role's actor. Its children (election,
// work and child roles) are restarted with backoff and, when they keep
// failing, stopped.
func newRoleProps(env *roleEnv, role string) *actor.Props {
	spec := env.tree.specs[role]
	supervision := giveUpSupervision()
	supervision.MaxInterval = spec.Config.RenewDeadline / 2
	return actor.PropsFromProducer(
		func() actor.Actor {
			return &roleActor{
				env:  env,
				spec: spec,
				log:  spec.Config.Logger.With("role", role, "instance", env.tree.instanceID),
			}
		},
		actor.WithSupervisor(reportingSupervisor{inner: actors.RestartWithBackoff(supervision)}),
	)
}

// Receive implements actor.Actor.
func (a *roleActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.onStarted(ctx)
	case *Promoted, *Demoted:
		a.onElectionEvent(ctx, msg)
	case *LeaderChanged, *Failed:
		ctx.Send(a.env.reportTo, msg)
	case *actor.Terminated:
		a.onTerminated(ctx, msg.Who)
	case *childFailed:
		a.onChildFailed(ctx, msg)
	case *actors.ChildGaveUp:
		a.log.Error("child actor kept failing and was stopped", "child", msg.Child.Id, "reason", fmt.Sprint(msg.Reason))
	case *ResignResult:
		if msg.Err != nil {
			a.log.Warn("resigning did not release the lease; it will expire by TTL", "err", msg.Err)
		}
	case *finishRole:
		a.finish(ctx)
	case *callbacksDrained:
		ctx.Send(a.env.reportTo, &roleInactive{role: a.spec.Role})
		ctx.Stop(ctx.Self())
	case *actor.Stopping:
		a.abort(ctx, ReasonStopped)
	case *actor.Restarting:
		a.abort(ctx, ReasonFailed)
		a.queue.close()
	case *actor.Stopped:
		a.queue.close()
	}
}

// onStarted spawns the role's election; its snapshots go to the manager.
func (a *roleActor) onStarted(ctx actor.Context) {
	a.queue = newCallbackQueue()
	a.work = map[string]*actor.PID{}
	a.children = map[string]*actor.PID{}
	system, env := ctx.ActorSystem(), a.env
	props := newProps(a.spec.Config, func(st *Status) {
		if env.onStatus != nil {
			env.onStatus(st)
		}
		system.Root.Send(env.reportTo, &roleSnapshot{status: st})
	})
	a.election = ctx.SpawnPrefix(props, "election")
}

// onElectionEvent applies the election's Promoted or Demoted, unless a
// term's end is still settling: then it waits behind it.
func (a *roleActor) onElectionEvent(ctx actor.Context, msg any) {
	if a.pending != nil {
		a.stash = append(a.stash, msg)
		return
	}
	a.apply(ctx, msg)
	a.settle(ctx)
}

// apply acts on one election event.
func (a *roleActor) apply(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *Promoted:
		a.promote(ctx, m)
	case *Demoted:
		a.beginDemotion(ctx, m)
	}
}

// promote reports the term, queues OnPromote, then starts the work actors
// and the child roles.
func (a *roleActor) promote(ctx actor.Context, p *Promoted) {
	termCtx, cancel := context.WithCancel(context.Background())
	a.term, a.termEnd, a.failures, a.resigning = p, cancel, 0, false
	a.log.Info("role promoted", "token", p.Token.String())
	ctx.Send(a.env.reportTo, p)
	if f := a.spec.OnPromote; f != nil {
		a.queue.push(func() { f(termCtx, p.Token) })
	}
	if a.finishing {
		return // the role is ending: nothing new starts, and its election is stopped next
	}
	a.startWork(ctx, p.Token)
	for _, role := range a.env.tree.children[a.spec.Role] {
		a.children[role] = ctx.SpawnPrefix(newRoleProps(a.env, role), "role")
	}
}

// beginDemotion starts ending the term: OnPromote's context is cancelled
// at once, work actors are stopped and child roles asked to finish.
func (a *roleActor) beginDemotion(ctx actor.Context, d *Demoted) {
	if a.term == nil || d.Token != a.term.Token {
		a.log.Warn("ignoring the end of a term this role did not begin", "token", d.Token.String())
		return
	}
	a.pending = d
	a.termEnd()
	a.stopTermActors(ctx)
}

// stopTermActors stops the work actors and asks the child roles to finish.
func (a *roleActor) stopTermActors(ctx actor.Context) {
	for _, pid := range a.work {
		ctx.Stop(pid)
	}
	for _, pid := range a.children {
		ctx.Send(pid, &finishRole{})
	}
}

// settle reports a pending term's end once its work and child roles are
// gone, then applies the election events that waited for it; a finishing
// role then goes on ending.
func (a *roleActor) settle(ctx actor.Context) {
	for {
		if a.pending != nil {
			if len(a.work) > 0 || len(a.children) > 0 {
				return
			}
			a.endTerm(ctx, a.pending)
		}
		if len(a.stash) == 0 {
			break
		}
		next := a.stash[0]
		a.stash = a.stash[1:]
		a.apply(ctx, next)
	}
	if a.finishing {
		a.continueFinish(ctx)
	}
}

// endTerm reports d to the manager and queues OnDemote.
func (a *roleActor) endTerm(ctx actor.Context, d *Demoted) {
	a.termEnd()
	a.term, a.termEnd, a.pending = nil, nil, nil
	a.log.Info("role demoted", "token", d.Token.String(), "reason", string(d.Reason))
	ctx.Send(a.env.reportTo, d)
	if f := a.spec.OnDemote; f != nil {
		a.queue.push(func() { f(context.Background(), d.Reason) })
	}
}

// finish ends the role in order: work actors and child roles first, while
// the lease is still held, then the election (which releases the lease and
// reports Demoted), then the callbacks; then the actor stops itself.
func (a *roleActor) finish(ctx actor.Context) {
	if a.finishing {
		return
	}
	a.finishing = true
	a.stopTermActors(ctx)
	a.settle(ctx)
}

// continueFinish takes the next step of finish that is due.
func (a *roleActor) continueFinish(ctx actor.Context) {
	if a.pending != nil || len(a.work) > 0 || len(a.children) > 0 {
		return
	}
	if a.election != nil {
		if !a.electionStopped {
			a.electionStopped = true
			// Ask, not stop: the election releases its lease and waits for
			// the reply before it terminates.
			ctx.Send(a.election, &stopElection{})
		}
		return
	}
	// An election that ends while leading sends its Demoted before it
	// terminates, but Proto.Actor delivers the termination first: wait for
	// the Demoted, already in the mailbox.
	if a.term != nil || a.drained {
		return
	}
	a.drained = true
	system, self := ctx.ActorSystem(), ctx.Self()
	a.queue.push(func() { system.Root.Send(self, &callbacksDrained{}) })
}

// onTerminated forgets a child that stopped and settles what waited for it.
func (a *roleActor) onTerminated(ctx actor.Context, who *actor.PID) {
	switch {
	case who.Equal(a.election):
		a.election = nil
		if !a.finishing {
			a.log.Error("election stopped; the role stays without one until its manager restarts")
		}
	case a.work[who.Id] != nil:
		delete(a.work, who.Id)
	default:
		for role, pid := range a.children {
			if pid.Equal(who) {
				delete(a.children, role)
			}
		}
	}
	a.settle(ctx)
}

// abort runs when the actor is stopped or restarted by force: its children
// are about to be stopped by Proto.Actor in no particular order, so the
// open term is reported over now.
func (a *roleActor) abort(ctx actor.Context, reason DemoteReason) {
	if a.term == nil {
		return
	}
	d := a.pending
	if d == nil {
		d = &Demoted{Role: a.spec.Role, InstanceID: a.env.tree.instanceID, Token: a.term.Token, Reason: reason}
	}
	a.stash = nil
	a.endTerm(ctx, d)
}
