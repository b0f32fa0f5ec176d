package leadership

import (
	"strings"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
)

// emit sends msg to the parent actor, if any, and publishes it on the
// actor system's EventStream.
func (a *electionActor) emit(ctx actor.Context, msg any) {
	if parent := ctx.Parent(); parent != nil && !isGuardian(parent) {
		ctx.Send(parent, msg)
	}
	ctx.ActorSystem().EventStream.Publish(msg)
}

// snapshot builds the current Status.
func (a *electionActor) snapshot() *Status {
	st := &Status{
		Role:        a.cfg.Role,
		InstanceID:  a.cfg.InstanceID,
		State:       string(a.sm.State()),
		Leading:     a.sm.State() == fsm.StateLeader,
		Token:       a.token,
		Leader:      a.leaderName,
		LeaderToken: a.leader,
		Ready:       a.store != nil && a.sm.State() != fsm.StateStopped,
		Connected:   a.connected,
		Healthy:     a.healthy,
		Since:       a.since,
		Transitions: a.trans,
		Err:         a.failed,

		AcquireAttempts:     a.attempts,
		RetryBackoff:        a.retryDelay,
		ConsecutiveFailures: a.breaker.failures,
		Breaker:             a.breaker.state,
	}
	if a.breaker.state == BreakerOpen {
		st.BreakerOpenUntil = a.breaker.openUntil
	}
	if st.Leading {
		st.LastRenewal = a.lastRenewal
		st.LeaseDeadline = a.lastRenewal.Add(a.cfg.RenewDeadline)
	}
	if a.lastErr != nil {
		st.LastError = a.lastErr.Error()
	}
	return st
}

// publish makes the current Status the latest, for the lease gauge and
// the facade.
func (a *electionActor) publish() {
	st := a.snapshot()
	a.latest.Store(st)
	if a.onStatus != nil {
		a.onStatus(st)
	}
}

// isGuardian reports whether pid is a Proto.Actor guardian. An actor spawned
// from the root with actor.WithGuardian has its guardian as Parent, and a
// guardian panics on any user message; Proto.Actor names guardians
// "guardian" followed by a process ID.
func isGuardian(pid *actor.PID) bool { return strings.HasPrefix(pid.Id, "guardian") }
