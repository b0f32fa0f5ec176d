package leadership

import (
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// startWork spawns the role's work actors for the term with token t. A
// WorkFunc that returns no usable props counts as a work failure.
func (a *roleActor) startWork(ctx actor.Context, t Token) {
	for i, w := range a.spec.Work {
		pid, err := spawnWork(ctx, w, t)
		if err != nil {
			a.log.Error("work actor not started", "work", i, "err", err)
			a.workFailed(ctx)
			continue
		}
		a.work[pid.Id] = pid
	}
}

// spawnWork spawns the actor w describes for t as a child of ctx. It turns
// Proto.Actor's panic on unusable props (such as props with a guardian) into
// an error.
func spawnWork(ctx actor.Context, w WorkFunc, t Token) (pid *actor.PID, err error) {
	props := w(t)
	if props == nil {
		return nil, errors.New("WorkFunc returned nil props")
	}
	defer func() {
		if r := recover(); r != nil {
			pid, err = nil, fmt.Errorf("spawn: %v", r)
		}
	}()
	return ctx.SpawnPrefix(props, "work"), nil
}

// onChildFailed counts a failure of a work actor of the current term.
// Failures of the election and of child roles are the supervisor's
// business alone.
func (a *roleActor) onChildFailed(ctx actor.Context, msg *childFailed) {
	if a.work[msg.child.Id] == nil {
		a.log.Warn("child actor failed", "child", msg.child.Id, "reason", fmt.Sprint(msg.reason))
		return
	}
	a.log.Warn("work actor failed", "child", msg.child.Id, "reason", fmt.Sprint(msg.reason))
	a.workFailed(ctx)
}

// workFailed counts a work failure and resigns the term once the spec's
// limit is reached.
func (a *roleActor) workFailed(ctx actor.Context) {
	a.failures++
	limit := a.spec.ResignAfterWorkFailures
	if limit == 0 || a.failures < limit || a.term == nil || a.pending != nil || a.resigning || a.election == nil {
		return
	}
	a.resigning = true
	a.log.Warn("work keeps failing; resigning", "failures", a.failures, "token", a.term.Token.String())
	ctx.Request(a.election, &Resign{})
}

// reportingSupervisor tells the supervising actor about each failure of a
// child, with *childFailed, then lets inner decide what to do with it. It
// runs on the supervisor's goroutine, so the report is queued behind what
// the supervisor already has to do.
type reportingSupervisor struct {
	inner actor.SupervisorStrategy
}

var _ actor.SupervisorStrategy = reportingSupervisor{}

// HandleFailure implements actor.SupervisorStrategy.
func (s reportingSupervisor) HandleFailure(system *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	if self, ok := supervisor.(interface{ Self() *actor.PID }); ok {
		system.Root.Send(self.Self(), &childFailed{child: child, reason: reason})
	}
	s.inner.HandleFailure(system, supervisor, child, rs, reason, message)
}
