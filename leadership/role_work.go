package leadership

import (
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// startWork spawns the role's work actors for the term with token t and
// returns how many could not start: a WorkFunc that returns no usable props
// counts as a work failure.
func (a *roleActor) startWork(ctx actor.Context, t Token) int {
	failed := 0
	for i, w := range a.spec.Work {
		pid, err := spawnWork(ctx, w, t)
		if err != nil {
			a.log.Error("work actor not started", "work", i, "err", err)
			failed++
			continue
		}
		if a.work == nil {
			a.work = map[string]*actor.PID{}
		}
		a.work[pid.Id] = pid
	}
	return failed
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
