package fsm

import "time"

// Timing is what the decision core needs of an election's configuration:
// who we are, durations and thresholds, all validated by the caller.
type Timing struct {
	// InstanceID names this candidate as a holder.
	InstanceID string
	// TTL is the lease's time to live on the server.
	TTL time.Duration
	// RenewDeadline: a leader demotes itself unless a renewal sent within
	// this long has succeeded.
	RenewDeadline time.Duration
	// HeartbeatInterval is the time between renewals.
	HeartbeatInterval time.Duration
	// DisconnectGrace is how long a leader stays leader while disconnected.
	DisconnectGrace time.Duration
	// PollInterval bounds how long a candidate that lost a race waits before
	// it looks again when no winner shows up.
	PollInterval time.Duration
	// OpTimeout bounds the wait for the replies of writes when stopping.
	OpTimeout time.Duration
	// CampaignJitter is the largest random delay before an acquisition; zero
	// campaigns at once.
	CampaignJitter time.Duration
	// Priority shortens the jitter: it is divided by 1+Priority.
	Priority int
	// StandBy is how long a candidate that is not first in the order of
	// succession waits, when the lease is freed, for the first to take it
	// before it joins the jittered race.
	StandBy time.Duration
	// PreferredLeader makes a leader hand the lease, at its next heartbeat,
	// to a live candidate of a higher priority.
	PreferredLeader bool
	// ResignHoldOff is how long a leader that resigned waits before it
	// campaigns again.
	ResignHoldOff time.Duration
	// RetryInitial and RetryMax bound the backoff after a failed attempt.
	RetryInitial, RetryMax time.Duration
	// BreakerThreshold failed attempts in a row open the circuit breaker for
	// BreakerCooldown.
	BreakerThreshold int
	BreakerCooldown  time.Duration
	// HealthFailureThreshold consecutive failed health checks make the
	// candidate unhealthy.
	HealthFailureThreshold int
	// RespawnDelay is how long a child that gave up stays down before it is
	// started again.
	RespawnDelay time.Duration
	// OfferTTL is the TTL of an offer; MaxServerClockSkew and MaxClockDrift
	// bound how early the server can expire it against the stamps it gave
	// and against our clock (see core_proof.go).
	OfferTTL           time.Duration
	MaxServerClockSkew time.Duration
	MaxClockDrift      float64
	// Seed makes jitter and backoff deterministic: the same seed and inputs
	// give the same effects.
	Seed uint64
	// WorkStopBudget is how long after the deadline the ended term's work
	// may take to stop: the deadline inequality keeps that room, so a
	// release or offer written once the work stopped, within it, still
	// lands before the lease could expire.
	WorkStopBudget time.Duration
	// Sessions: the lease's key carries no TTL of its own (a session keeps
	// it), so no expiry marker of it can erase a write over it.
	Sessions bool
	// AwaitWorkStopped: the parent answers every Demoted with InWorkStopped
	// once the leader's work has stopped, and a release or offer of the
	// ended term is written only then, so a successor never starts while
	// that work runs. Without it the release is written at once.
	AwaitWorkStopped bool
}

// Lease is the part of a held lease the core reasons about.
type Lease struct {
	// Term is the revision at which the lease was acquired.
	Term uint64
	// Revision is the key's revision as last written by us.
	Revision uint64
	// Nonce tells two holders of the same term apart.
	Nonce string
}

// Holder is who the core last saw holding the key.
type Holder struct {
	// Name is the holder's instance, or "" when the key looked free.
	Name string
	// Foreign is true when the key holds something that is not a lease.
	Foreign bool
	// Term, Revision and Nonce identify the holder's term.
	Term, Revision uint64
	Nonce          string
	// OfferedTo names the candidate the holder offered the lease to, ""
	// when it is not on offer.
	OfferedTo string
}

// Child names a supervised child of the election.
type Child uint8

// The election's children.
const (
	// ChildWatch follows the role's key.
	ChildWatch Child = 1 << iota
	// ChildConnection reports the NATS connection's state.
	ChildConnection
	// ChildHealth runs the user's health checker.
	ChildHealth
	// ChildHeartbeat ticks the leader's renewals; it runs only while the
	// election leads.
	ChildHeartbeat
	// ChildRegistry keeps the candidate in the role's registry and reports
	// the order of succession. Without it the election campaigns as with
	// no order known: its failure costs no demotion.
	ChildRegistry
)

// String names the child.
func (c Child) String() string {
	switch c {
	case ChildWatch:
		return "watch"
	case ChildConnection:
		return "connection"
	case ChildHealth:
		return "health"
	case ChildHeartbeat:
		return "heartbeat"
	case ChildRegistry:
		return "registry"
	default:
		return "children"
	}
}

// Breaker is the state of the acquisition circuit breaker.
type Breaker uint8

// Breaker states.
const (
	// BreakerClosed: attempts run normally.
	BreakerClosed Breaker = iota
	// BreakerOpen: too many attempts failed in a row; none runs until the
	// cool-down ends.
	BreakerOpen
	// BreakerHalfOpen: the cool-down ended; one trial attempt decides.
	BreakerHalfOpen
)

// Reason says why a term ended.
type Reason string

// The reasons a term ends.
const (
	ReasonRenewConflict    Reason = "renew_conflict"
	ReasonRenewDeadline    Reason = "renew_deadline"
	ReasonDisconnected     Reason = "disconnected"
	ReasonReconnectRefuted Reason = "reconnect_refuted"
	ReasonUnhealthy        Reason = "unhealthy"
	ReasonChildFailed      Reason = "child_failed"
	ReasonResigned         Reason = "resigned"
	ReasonOutranked        Reason = "outranked"
	ReasonStopped          Reason = "stopped"
	ReasonFailed           Reason = "failed"
)

// ElectionState is everything the decision core knows about one election. It
// is a plain comparable value: Step returns a new one, and two states are
// equal exactly when nothing observable changed.
type ElectionState struct {
	// Phase is the election's state in the election table.
	Phase State

	// Lease is ours while leading, and while a release of it is pending.
	Lease Lease
	// LastRenewal is when the newest successful renewal (or the create) of
	// Lease was sent: the lease's deadline counts from it.
	LastRenewal time.Time
	// Proving is set after a reconnect until a renewal proves the lease.
	Proving bool
	// Parked is set while the leader's heartbeat waits on its session's
	// proof rather than on a timer, and no deadline timer is armed: the
	// session's proofs keep the lease, and LastRenewal catches up with
	// them at the next input (see core_park.go).
	Parked bool

	// Attempt is the sequence number of the acquisition in flight, 0 if
	// none, and AttemptBy the write it makes.
	Attempt   uint64
	AttemptBy AcquireBy
	// Claiming is set while the attempt in flight writes over an offer (a
	// lease offered to us, or one whose holder's session ended while it
	// was on offer). The offer carries a short TTL, and the server may erase a write
	// it acknowledged over a message whose TTL ran out (its expiry marker
	// rolls the key up after the write), so a won claim proves nothing
	// until it is read back (see core_proof.go).
	Claiming bool
	// ClaimSettles is when, on our clock, the expiry marker of the offer
	// our last claim wrote over can no longer come. Until then a term of
	// ours the key shows may be that claim, unproven, or be written over
	// it, and the marker erases both: it is neither claimed back nor
	// released (see claimSettled). Zero once the claim is proven.
	ClaimSettles time.Time
	// Confirming is the lease a won claim gave us while its read-back is in
	// flight (the attempt stays in flight). ClaimSentAt is when the claim
	// was sent (the term's deadline counts from it) and ClaimAnswered when
	// its answer was handled; OfferWritten is when the server stored the
	// offer it replaced.
	Confirming    Lease
	ClaimSentAt   time.Time
	ClaimAnswered time.Time
	OfferWritten  time.Time
	// Attempts counts acquisitions started.
	Attempts uint64
	// Renewing is set while a renewal of Lease is in flight.
	Renewing bool
	// ReleaseDue is set when Lease must be released as soon as the renewal
	// in flight answers, so the release uses the newest revision.
	ReleaseDue bool
	// Releasing is set while a release of Lease is in flight.
	Releasing bool
	// ResignWaiting is set while a Resign waits for its release's reply.
	ResignWaiting bool
	// AwaitingWork is set while the release (or offer) of the ended term
	// Lease waits for its work to stop (Timing.AwaitWorkStopped).
	AwaitingWork bool

	// Observed is the holder last seen in the store; KeyFree is true when the
	// key was last seen free, at FreeRevision (the revision of its delete
	// or expiry marker, 0 when a read found nothing), and Departed is the
	// holder seen before it was freed.
	Observed     Holder
	KeyFree      bool
	FreeRevision uint64
	Departed     string
	// FreeExpiring is set when the key counted as free holds a message
	// with a short TTL of its own (KeyView.Expiring: an offer whose
	// holder's session ended), stored at FreeWritten on the server's clock.
	FreeExpiring bool
	FreeWritten  time.Time
	// FreeSession and FreeSessionEnd are set when the key counted as free
	// holds a lease whose session ended (KeyView.Session, SessionEnd).
	FreeSession    string
	FreeSessionEnd uint64
	// OursRevision is the revision at which the key was last seen holding a
	// term of ours under our own live session (KeyView.Ours), 0 when it was
	// last seen otherwise or our release of it succeeded. Once we lead no
	// term, nobody but us can free that key while the session lives, so we
	// claim it (the row "a term of ours is left").
	OursRevision uint64
	// OursTerm and OursNonce are the term and nonce the key held at
	// OursRevision, so such a term can be released by name. ReleasingLeft
	// is set while a release of it is in flight, and LeftRetryAt is when
	// one that failed may be tried again.
	OursTerm      uint64
	OursNonce     string
	ReleasingLeft bool
	LeftRetryAt   time.Time

	// Order is the first live candidates in the order of succession;
	// Outranked is set when the first of them other than us has a higher
	// priority than ours.
	Order     Order
	Outranked bool
	// OfferTo is who the lease is being offered to, while the offer (our
	// way of releasing it) is due or in flight.
	OfferTo string

	// Reads numbers the reads of the key (DoRead's Seq). ReadBack is the
	// read in flight after our release was refused (0: none): a renewal we
	// have not heard of (one whose answer was lost) may have moved the key
	// on while the lease is still ours. ReadBackTerm is the term last read
	// back for, so a term is read back once. KeyRead is the read in flight
	// after a write over a revision was refused (see core_acquire.go).
	Reads        uint64
	ReadBack     uint64
	ReadBackTerm uint64
	KeyRead      uint64

	// Connected, Healthy and Failed are the conditions the children report:
	// Failed holds the children that gave up and are not restarted yet,
	// without which the election may not lead; RegistryDown is set while
	// the registry, which it can do without, waits to be restarted.
	Connected    bool
	Healthy      bool
	Failed       Child
	RegistryDown bool
	// HoldOffUntil: no campaigning before then (after resigning).
	HoldOffUntil time.Time

	// Breaker, Failures and BreakerUntil are the circuit breaker; Failures
	// also drives the retry backoff.
	Breaker      Breaker
	Failures     int
	BreakerUntil time.Time
	// RetryDelay is the last backoff delay chosen (zero after a success).
	RetryDelay time.Duration

	// Transitions counts phase changes; Since is when the phase was entered.
	Transitions uint64
	Since       time.Time
	// LastError describes the last error met ("" if none); Fatal is set when
	// the election failed for good.
	LastError string
	Fatal     string
	// KeepLease is set when a stop leaves the lease to expire.
	KeepLease bool
	// Unreleased is a term of ours whose release a stop could not finish
	// (it failed, or its answer did not come in time): the finish hands it
	// to the store, which keeps trying while its session lives, since
	// nobody else may take a key that names a live session.
	Unreleased Lease
}

// NewElectionState returns the state of an election that has not started.
func NewElectionState() ElectionState {
	return ElectionState{Phase: StateStarting, Connected: true, Healthy: true}
}

// Leading reports whether the state holds leadership.
func (s ElectionState) Leading() bool { return s.Phase == StateLeader }

// Running reports whether the election runs: its store is open and it has
// not begun to stop.
func (s ElectionState) Running() bool {
	return s.Phase == StateFollower || s.Phase == StateCandidate || s.Phase == StateLeader
}

// LeaseDeadline is when a leader demotes itself unless a renewal succeeds
// first (zero when not leading).
func (s ElectionState) LeaseDeadline(t Timing) time.Time {
	return s.LeaseDeadlineProven(t, time.Time{})
}

// LeaseDeadlineProven is LeaseDeadline counting sessionProof too: when the
// newest write proving the session that keeps the lease was sent, on the
// candidate's clock (Input.SessionProof), which the state catches up with
// only at its next input.
func (s ElectionState) LeaseDeadlineProven(t Timing, sessionProof time.Time) time.Time {
	if !s.Leading() {
		return time.Time{}
	}
	proven := s.LastRenewal
	if t.Sessions && sessionProof.After(proven) {
		proven = sessionProof
	}
	return proven.Add(t.RenewDeadline)
}
