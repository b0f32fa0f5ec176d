package chaos

import "time"

// The fenced resource's HTTP paths.
const (
	writePath  = "/write"
	beaconPath = "/beacon"
)

// writeRequest is one fenced write: a candidate acting as leader under
// Token (leadership.Token.String form).
type writeRequest struct {
	Candidate string    `json:"candidate"`
	Token     string    `json:"token"`
	SentAt    time.Time `json:"sent_at"`
}

// writeReply says whether the resource took the write.
type writeReply struct {
	Accepted bool   `json:"accepted"`
	Highest  string `json:"highest"`
}

// beacon is a candidate's periodic status report. It travels on the direct
// path to the harness, so it arrives even while the candidate's NATS link is
// faulted.
type beacon struct {
	Candidate string `json:"candidate"`
	PID       int    `json:"pid"`
	// SentAt is when the candidate built the report, on its clock (the
	// harness's clock too: they share the host).
	SentAt time.Time `json:"sent_at"`
	// Ready is Status.Ready: the election runs (its bucket is open).
	Ready bool `json:"ready"`
	// Leading is Election.IsLeader: the lease is held and its deadline has
	// not passed on the candidate's clock.
	Leading bool `json:"leading"`
	// Token is Election.Token (empty when not leading).
	Token string `json:"token,omitempty"`
	// Term is the token of the term whose OnPromote context is still alive:
	// what the candidate's leader work believes.
	Term string `json:"term,omitempty"`
	// LastRenewal is when the newest write proving the lease (a renewal,
	// the acquisition, or its session's keepalive: Status.LeaseProven) was
	// sent, in real time like LeaseDeadline.
	LastRenewal time.Time `json:"last_renewal"`
	// LeaseDeadline is Status.LeaseDeadline while leading, in real time:
	// a candidate whose clock drifts converts it from its clock's time, so
	// the harness can compare it with other candidates' times.
	LeaseDeadline time.Time `json:"lease_deadline,omitzero"`
	// BreakerOpenUntil is Status.Acquisition.BreakerOpenUntil in real
	// time: while the acquisition breaker is open, when it allows the next
	// attempt.
	BreakerOpenUntil time.Time `json:"breaker_open_until,omitzero"`
	// Connected and ConnectedURL describe the NATS link (a proxy URL).
	Connected    bool   `json:"connected"`
	ConnectedURL string `json:"connected_url,omitempty"`
	// Reconnects counts the NATS client's reconnections.
	Reconnects uint64 `json:"reconnects"`
	// MaxRTT is the longest NATS round trip measured since the last beacon.
	MaxRTT time.Duration `json:"max_rtt"`
	// Promotions and Demotions count OnPromote and OnDemote calls;
	// LastDemoteReason is the reason of the latest OnDemote.
	Promotions       int    `json:"promotions"`
	Demotions        int    `json:"demotions"`
	LastDemoteReason string `json:"last_demote_reason,omitempty"`
	// Writes and WriteErrors count fenced writes sent and writes that got no
	// answer.
	Writes      int `json:"writes"`
	WriteErrors int `json:"write_errors"`
}

// beaconReply carries the harness's instructions back to the candidate.
type beaconReply struct {
	// Healthy is what the candidate's HealthChecker reports next.
	Healthy bool `json:"healthy"`
}
