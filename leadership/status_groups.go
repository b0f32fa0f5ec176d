package leadership

import "time"

// LeaseStatus is our term as Status reports it while the election leads:
// its token and the times that bound it. It is zero when not leading.
type LeaseStatus struct {
	// Token is our term's fencing token.
	Token Token
	// Deadline is when the leader will demote itself unless a renewal
	// succeeds first, on the election's clock (Config.Timings.Clock), as
	// of the snapshot. Status.LeaseDeadline moves it on by the session's
	// newer proofs, and Status.IsLeader compares that with the clock.
	Deadline time.Time
	// LastRenewal is when the last successful renewal (or the acquisition)
	// was sent, as of the snapshot (see Status.LeaseProven).
	LastRenewal time.Time
}

// AcquisitionStatus is how the attempts to acquire the lease are faring:
// how many started, the delay before the next, and the circuit breaker that
// stops them after failures in a row.
type AcquisitionStatus struct {
	// Attempts counts acquisition attempts started.
	Attempts uint64
	// RetryBackoff is the delay before the next attempt after a failed one
	// (zero after a success or a lost race).
	RetryBackoff time.Duration
	// ConsecutiveFailures counts attempts in a row that failed for a reason
	// other than losing the race.
	ConsecutiveFailures int
	// Breaker is the acquisition circuit breaker's state.
	Breaker BreakerState
	// BreakerOpenUntil is when an open breaker allows the next trial (zero
	// unless Breaker is BreakerOpen).
	BreakerOpenUntil time.Time
}

// PhaseHistory is how an election came to its Status.State.
type PhaseHistory struct {
	// Since is when the election entered Status.State.
	Since time.Time
	// Transitions counts the election's changes of state.
	Transitions uint64
}

// Conditions are the connection and the health check as an election last
// saw them. A leader whose connection stays lost past
// Config.Timings.DisconnectGrace demotes; an unhealthy leader demotes and
// an unhealthy candidate does not campaign until a check passes.
type Conditions struct {
	// Connected reports the NATS connection's state as last seen.
	Connected bool
	// Healthy is false while the health checker is failing past its
	// threshold (Config.Health.FailureThreshold).
	Healthy bool
}
