package leadership

import (
	"sync/atomic"

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

// snapshot builds the current Status from the core's state.
func (a *electionActor) snapshot() *Status {
	s := a.state
	st := &Status{
		Role:       a.cfg.Role,
		InstanceID: a.cfg.InstanceID,
		State:      Phase(s.Phase),
		Leading:    s.Leading(),
		Leader:     s.Observed.Name,
		Ready:      s.Running(),
		Acquisition: AcquisitionStatus{
			Attempts:            s.Attempts,
			RetryBackoff:        s.RetryDelay,
			ConsecutiveFailures: s.Failures,
			Breaker:             BreakerState(s.Breaker),
		},
		History:    PhaseHistory{Since: s.Since, Transitions: s.Transitions},
		Conditions: Conditions{Connected: s.Connected, Healthy: s.Healthy},
		Candidates: a.candidates,
		clock:      a.cfg.Timings.Clock,
	}
	if h := a.leaderChanged(s.Observed); h.Leader != "" {
		st.LeaderToken = h.Token
	}
	if s.Breaker == fsm.BreakerOpen {
		st.Acquisition.BreakerOpenUntil = s.BreakerUntil
	}
	if st.Leading {
		st.Lease = LeaseStatus{
			Token:       a.tokenOf(s.Lease),
			Deadline:    s.LeaseDeadline(a.timing()),
			LastRenewal: s.LastRenewal,
		}
		if a.cfg.Sessions {
			st.sessionProof = a.sessionProofReader(s.Lease.Term)
		}
	}
	if s.Fatal != "" {
		st.Err = a.errorOf(s.Fatal)
	}
	switch {
	case s.LastError != "":
		st.LastError = s.LastError
	case a.lastErr != nil:
		st.LastError = a.lastErr.Error()
	}
	return st
}

// publish makes the current Status the latest, for the lease gauge and
// the facade.
func (a *electionActor) publish() {
	st := a.snapshot()
	a.statuses.latest.Store(st)
	if a.statuses.onStatus != nil {
		a.statuses.onStatus(st)
	}
}

// statusBoard is where an election's snapshots go.
type statusBoard struct {
	// onStatus is called with every published snapshot; may be nil.
	onStatus func(*Status)
	// latest is the last snapshot, for the lease gauge's callback.
	latest atomic.Pointer[Status]
}

// isGuardian reports whether pid is a Proto.Actor guardian. An actor spawned
// from the root with actor.WithGuardian has its guardian as Parent, and a
// guardian panics on any user message; Proto.Actor names guardians
// "guardian" followed by a process ID.
func isGuardian(pid *actor.PID) bool { return strings.HasPrefix(pid.Id, "guardian") }
