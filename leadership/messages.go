package leadership

import (
	"time"

	"github.com/batonhq/baton/internal/interpret"
)

// Promoted is sent when this candidate becomes the leader.
type Promoted struct {
	Role       string
	InstanceID string
	// Token is the new term's fencing token.
	Token Token
}

// Demoted is sent when this candidate stops being the leader, always after
// the Promoted of the same term.
type Demoted struct {
	Role       string
	InstanceID string
	// Token is the term that ended.
	Token Token
	// Reason says why it ended.
	Reason DemoteReason
}

// WorkStopped tells an election, configured with
// Config.Succession.AwaitWorkStopped, that the leader's work of the term
// Token names has stopped: the answer its parent gives to that term's
// Demoted. Only then does the election write the release or offer that lets
// a successor lead.
type WorkStopped struct {
	// Token is the term whose work stopped, as its Demoted named it.
	Token Token
}

// LeaderChanged is sent to every candidate when the holder it observes in
// the store changes. Leader is empty when the role has no holder. It is a
// hint from a read: Promoted and Demoted, not LeaderChanged, say whether
// this candidate leads.
type LeaderChanged struct {
	Role string
	// Leader is the holder's instance ID, or "" when the lease is free. A
	// key holding something other than a lease record reads as
	// ForeignHolder.
	Leader string
	// Token is the holder's token (zero when free or foreign).
	Token Token
}

// ForeignHolder is LeaderChanged.Leader when the role's key holds a value
// that is not a Baton lease: the role is taken, by something unknown.
const ForeignHolder = interpret.ForeignHolder

// Warning is sent while the election cannot make progress but keeps trying:
// acquisition keeps failing and the circuit breaker opened, a write was
// refused for good (for example, no permission to publish on the bucket's
// subjects), or the bucket cannot be opened yet. It is also logged at Warn.
// Failed, not Warning, says the election gave up.
type Warning struct {
	Role       string
	InstanceID string
	Err        error
}

// Failed is sent when the election cannot run at all (for example, the
// bucket is misconfigured) and stops itself.
type Failed struct {
	Role       string
	InstanceID string
	Err        error
}

// GetStatus asks the election actor for its *Status (use RequestFuture).
type GetStatus struct{}

// Resign asks the leader to demote and hand its lease over: to Successor
// when named (a live candidate, else the reply is ErrNoSuccessor and the
// leader keeps leading), otherwise to the next live candidate in the order
// of succession, or, with none, by releasing it. The leader is Demoted
// before the lease is offered; the successor leads once its own claim of
// the offer is acknowledged. The election replies with *ResignResult once
// the offer or release was attempted.
type Resign struct {
	// Successor is the instance ID to hand the lease to; "" for the next
	// in the order of succession.
	Successor string
}

// ResignResult answers Resign. Err is ErrNotLeader when the candidate did
// not lead, or the release's error (the candidate demoted regardless).
type ResignResult struct {
	Err error
}

// DemoteReason says why a term ended.
type DemoteReason string

// The reasons a term ends.
const (
	// ReasonRenewConflict: a renewal was refused; the key moved on.
	ReasonRenewConflict DemoteReason = "renew_conflict"
	// ReasonRenewDeadline: no renewal succeeded within RenewDeadline.
	ReasonRenewDeadline DemoteReason = "renew_deadline"
	// ReasonDisconnected: the connection stayed lost past DisconnectGrace.
	ReasonDisconnected DemoteReason = "disconnected"
	// ReasonReconnectRefuted: after a reconnect the lease could not be proven.
	ReasonReconnectRefuted DemoteReason = "reconnect_refuted"
	// ReasonUnhealthy: the health checker failed too often.
	ReasonUnhealthy DemoteReason = "unhealthy"
	// ReasonChildFailed: a child actor the election needs kept failing.
	ReasonChildFailed DemoteReason = "child_failed"
	// ReasonResigned: the leader resigned.
	ReasonResigned DemoteReason = "resigned"
	// ReasonOutranked: the leader handed its lease to a live candidate of a
	// higher priority (Config.Succession.PreferredLeader).
	ReasonOutranked DemoteReason = "outranked"
	// ReasonStopped: the election was stopped.
	ReasonStopped DemoteReason = "stopped"
	// ReasonFailed: the election actor itself failed and was restarted.
	ReasonFailed DemoteReason = "failed"
)

// Status is a snapshot of an election, published by its actor after every
// change. It is immutable. The fields read most come first; the others are
// grouped by what they describe: our term (Lease), the acquisition's
// progress (Acquisition), the history of State (History) and what holds
// this instance back (Conditions).
type Status struct {
	// Role is the role the election campaigns for.
	Role string
	// InstanceID is this candidate's ID.
	InstanceID string
	// State is the election's phase: PhaseInactive before Start, then
	// starting, follower, candidate, leader, stopping, stopped.
	State Phase
	// Leading is true while the election actor holds the lease, as of this
	// snapshot. To decide whether to act as leader, use Status.IsLeader (or
	// Election.IsLeader), which also checks Lease.Deadline against the
	// clock: a snapshot from a stalled actor can say Leading after the
	// deadline.
	Leading bool
	// Leader is the holder last observed in the store ("" if none).
	Leader string
	// LeaderToken is that holder's token.
	LeaderToken Token
	// Ready is true once the bucket is open and the election campaigns.
	Ready bool
	// Err is set when the election failed and stopped.
	Err error
	// Lease is our term while Leading, else zero.
	Lease LeaseStatus
	// Acquisition is how the attempts to acquire the lease are faring.
	Acquisition AcquisitionStatus
	// History is when the election entered State and how many changes of
	// state came before.
	History PhaseHistory
	// Conditions are the NATS connection's state and the health check's.
	Conditions Conditions
	// Candidates are the role's live candidates in the order of succession,
	// as the election last saw them (shared: do not modify).
	Candidates []Candidate
	// LastError is the last error met, for diagnosis ("" if none).
	LastError string

	// clock is the election's (nil: real time), so IsLeader reads the
	// clock Lease.Deadline was counted on.
	clock Clock
	// sessionProof reads the newest proof of the session that keeps our
	// lease, on the election's clock (zero when that session is no longer
	// live); nil without one. A leader whose session proves its lease
	// publishes no snapshot for it: its heartbeat is parked on the session.
	sessionProof func() time.Time
}

// IsLeader reports whether the snapshot says this candidate leads and its
// self-demotion deadline (LeaseDeadline) has not passed on the election's
// clock (Config.Timings.Clock, real time by default). It stays correct even
// if the election actor is stalled.
func (s *Status) IsLeader() bool {
	return s != nil && s.Leading && s.now().Before(s.LeaseDeadline())
}

// LeaseProven is when the newest write proving our lease was sent:
// Lease.LastRenewal, or the newer proof of the session that keeps the
// lease (Config.Sessions), which the snapshot of a quiet leader does not
// repeat. Zero when not leading.
func (s *Status) LeaseProven() time.Time {
	if s == nil || !s.Leading {
		return time.Time{}
	}
	if s.sessionProof != nil {
		if p := s.sessionProof(); p.After(s.Lease.LastRenewal) {
			return p
		}
	}
	return s.Lease.LastRenewal
}

// LeaseDeadline is Lease.Deadline moved on by the session's newer proof
// (LeaseProven): when the leader demotes itself unless a newer proof comes
// first. Zero when not leading.
func (s *Status) LeaseDeadline() time.Time {
	if s == nil || !s.Leading {
		return time.Time{}
	}
	return s.Lease.Deadline.Add(s.LeaseProven().Sub(s.Lease.LastRenewal))
}

// now is the time on the election's clock.
func (s *Status) now() time.Time { return clockOr(s.clock).Now() }
