package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ChildGaveUp is sent to a supervisor by a RestartWithBackoff strategy with
// the StopAndNotify policy when a child failed too often and was stopped.
//
// It is a user message, so it may arrive after the *actor.Terminated for the
// same child, which Proto.Actor delivers as a system message.
type ChildGaveUp struct {
	// Child is the child that was stopped.
	Child *actor.PID
	// Reason is the value of the child's last failure (usually what it
	// panicked with).
	Reason any
}

// RestartWithBackoff returns a supervisor strategy that restarts a failing
// child after an exponential, jittered delay (see BackoffSupervision) and,
// once the child failed more than cfg.MaxRestarts times within cfg.Window,
// gives it up according to cfg.OnGiveUp.
//
// It never fails: zero fields are read as BackoffSupervision documents and
// out-of-range ones take their defaults; call cfg.Validate first to reject
// such a config instead. The strategy holds no per-child state (that lives in
// the child's RestartStatistics), so one value may serve many supervisors.
//
// The delay runs on a timer, not in the supervisor's mailbox, so the
// supervisor keeps handling messages while its child waits; the child's own
// mailbox stays suspended until the restart. A guardian (actor.WithGuardian)
// cannot escalate and has no mailbox: under a guardian both policies stop the
// child and publish *ChildGaveUp on the actor system's EventStream instead.
func RestartWithBackoff(cfg BackoffSupervision) actor.SupervisorStrategy {
	return &backoffStrategy{cfg: cfg.withDefaults()}
}

type backoffStrategy struct {
	cfg BackoffSupervision
}

var _ actor.SupervisorStrategy = (*backoffStrategy)(nil)

// HandleFailure implements actor.SupervisorStrategy. Proto.Actor calls it on
// the supervisor's goroutine with the failing child's restart statistics,
// which nothing else touches while the child is suspended.
func (s *backoffStrategy) HandleFailure(system *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason any, message any) {
	if rs == nil {
		rs = actor.NewRestartStatistics()
	}
	// Forget failures that all left the window, so a child that fails rarely
	// does not accumulate failure times for ever.
	if rs.NumberOfFailures(s.cfg.Window) == 0 {
		rs.Reset()
	}
	rs.Fail()
	n := rs.NumberOfFailures(s.cfg.Window)
	if n > s.cfg.MaxRestarts {
		rs.Reset()
		s.giveUp(system, supervisor, child, reason, message)
		return
	}
	system.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: actor.RestartDirective})
	time.AfterFunc(s.cfg.delay(n), func() {
		supervisor.RestartChildren(child)
	})
}

// giveUp applies the give-up policy to child.
func (s *backoffStrategy) giveUp(system *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, reason any, message any) {
	self, isActor := supervisor.(interface{ Self() *actor.PID })
	if s.cfg.OnGiveUp == Escalate && isActor {
		supervisor.EscalateFailure(reason, message)
		return
	}
	system.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: actor.StopDirective})
	supervisor.StopChildren(child)
	gaveUp := &ChildGaveUp{Child: child, Reason: reason}
	if isActor {
		system.Root.Send(self.Self(), gaveUp)
		return
	}
	system.EventStream.Publish(gaveUp)
}
