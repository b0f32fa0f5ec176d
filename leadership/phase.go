package leadership

import "github.com/batonhq/baton/fsm"

// Phase is where an election stands, as Status.State reports it.
type Phase string

// The phases of an election.
const (
	// PhaseInactive: not started yet (or a role without a running election).
	PhaseInactive Phase = "inactive"
	// PhaseStarting: the lease bucket is being opened.
	PhaseStarting = Phase(fsm.StateStarting)
	// PhaseFollower: not campaigning; someone else leads, or the candidate
	// is held back (see Status.Conditions, Status.Acquisition.Breaker and
	// Status.LastError).
	PhaseFollower = Phase(fsm.StateFollower)
	// PhaseCandidate: an acquisition is in flight or due.
	PhaseCandidate = Phase(fsm.StateCandidate)
	// PhaseLeader: this candidate holds the lease.
	PhaseLeader = Phase(fsm.StateLeader)
	// PhaseStopping: ending; a held lease is being released.
	PhaseStopping = Phase(fsm.StateStopping)
	// PhaseStopped: ended.
	PhaseStopped = Phase(fsm.StateStopped)
)
