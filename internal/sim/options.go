package sim

import (
	"io"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
)

// Bug is a deliberate mistake the simulated interpreter can make, to show
// that the checkers find it.
type Bug uint8

// The bugs the interpreter can be told to make.
const (
	// NoBug carries out every effect as the election actor does.
	NoBug Bug = iota
	// BugAckDeadline feeds the time a write's reply is handled as its
	// SentAt, so the deadline counts from the acknowledgement instead of the
	// send.
	BugAckDeadline
	// BugBlindRelease releases with a delete that checks no revision, as a
	// plain kv.Delete would: a late release deletes a successor's key.
	BugBlindRelease
	// BugRenewDropsTTL renews without a TTL, as kv.Update does: a key whose
	// holder crashed never expires.
	BugRenewDropsTTL
	// BugUnprovenRenewal, in session mode, renews a lease by reading its
	// key instead of asking the session for proof: while the key holds the
	// lease the renewal succeeds, its deadline counted from its own send,
	// though the session that keeps the lease may have lapsed.
	BugUnprovenRenewal
	// BugTakeoverUnchecked, in session mode, takes a lease over with a
	// plain revision-checked write, trusting the watch's word that its
	// session ended; and the watch reads a session's key apart from the
	// lease, from a replica that may lag further, so a session opened just
	// before its lease can look absent.
	BugTakeoverUnchecked
	// BugNoOurs, in session mode, never tells the core that a key holds a
	// term of its own under its own live session (KeyView.Ours): a term
	// that ends without a release (a deadline, a release that failed) is
	// then held by nobody, for as long as that session lives, since nobody
	// else may take it over and the core does not know it may.
	BugNoOurs
	// BugLateAckProof counts a write as proof whenever it was
	// acknowledged: answers to renewals and confirmations reach the core
	// as if handled the moment they were sent, and in session mode every
	// acknowledged renewal of the session proves it, however late. A write
	// applied after the message it expected expired is then taken as
	// proof, though the server's expiry marker erases it.
	BugLateAckProof
	// BugUnhealthyHolds never carries out the release of a term of ours
	// left under our own live session (an fsm.DoRelease with Left), and
	// never answers it, as the core behaved before it released such
	// terms: a candidate that may not lead holds the role, and nobody may
	// take it over while its session lives.
	BugUnhealthyHolds
)

var bugNames = [...]string{"none", "ack-deadline", "blind-release", "renew-drops-ttl", "unproven-renewal", "takeover-unchecked", "no-ours", "late-ack-proof", "unhealthy-holds"}

// String names the bug as the command's -bug flag does.
func (b Bug) String() string {
	if int(b) < len(bugNames) {
		return bugNames[b]
	}
	return "unknown"
}

// ParseBug returns the bug named s, and false when there is none.
func ParseBug(s string) (Bug, bool) {
	for i, n := range bugNames {
		if n == s {
			return Bug(i), true
		}
	}
	return NoBug, false
}

// Options shape the runs. The zero value simulates elections configured as
// leadership derives them from a 2s TTL, with clocks inside MaxClockDrift.
type Options struct {
	// Drift bounds how far each clock's rate (every candidate's and the
	// server's) strays from true time: each runs at 1±Drift. Zero means
	// leadership.DefaultMaxClockDrift; beyond it the safety argument does
	// not hold and violations are expected.
	Drift float64
	// Bug makes the interpreter carry out effects wrongly.
	Bug Bug
	// ServerSkew bounds how far apart the servers' wall clocks are: each
	// node's runs ahead of the servers' clock by an offset in [0,
	// ServerSkew], and may step forward within that. Zero means
	// leadership.DefaultMaxServerClockSkew, the skew the timings allow
	// for; beyond it the safety argument does not hold and violations are
	// expected.
	ServerSkew time.Duration
	// Trace, when set, receives a line for every input a core handles,
	// every effect it asks for, every message the store writes and every
	// fault: what a replayed seed did, in order.
	Trace io.Writer
	// Sessions runs the elections in session mode (leadership's
	// Config.Sessions): each process keeps one session key alive, renewed
	// every HeartbeatInterval with a TTL of the lease's TTL, and its lease
	// is held while that session lives.
	Sessions bool
}

// drift is the drift the runs use.
func (o Options) drift() float64 {
	if o.Drift == 0 {
		return leadership.DefaultMaxClockDrift
	}
	return o.Drift
}

// serverSkew is the server clock skew the runs allow.
func (o Options) serverSkew() time.Duration {
	if o.ServerSkew == 0 {
		return leadership.DefaultMaxServerClockSkew
	}
	return o.ServerSkew
}

// The shape of a run: faults strike during the first healAt of virtual time,
// then everything heals; within livenessBound some candidate must lead;
// then every candidate is stopped gracefully and must finish within
// stopBound.
const (
	ttl           = 2 * time.Second
	healAt        = 12 * time.Second
	livenessBound = ttl + breakerCooldown + 2*time.Second
	stopBound     = time.Second

	role            = "role"
	healthInterval  = 200 * time.Millisecond
	breakerCooldown = 2 * time.Second
)

// timing is the decision core's timing for candidate name, as leadership
// derives it from a 2s TTL with the default drift and server clock skew
// (docs/simulation.md lists the values; TestDocTimings keeps them true).
func timing(name string, seed uint64) fsm.Timing {
	d := leadership.Config{TTL: ttl}.EffectiveTimings()
	return fsm.Timing{
		InstanceID: name, TTL: ttl, RenewDeadline: d.RenewDeadline, HeartbeatInterval: d.HeartbeatInterval,
		DisconnectGrace: d.DisconnectGrace, PollInterval: d.PollInterval, OpTimeout: d.OpTimeout,
		CampaignJitter: leadership.DefaultCampaignJitter, ResignHoldOff: leadership.DefaultResignHoldOff,
		RetryInitial: leadership.DefaultRetryInitialInterval, RetryMax: time.Second,
		BreakerThreshold: leadership.DefaultBreakerThreshold, BreakerCooldown: breakerCooldown,
		HealthFailureThreshold: 2, RespawnDelay: ttl, Seed: seed,
		OfferTTL: transport.OfferTTL, MaxServerClockSkew: d.MaxServerClockSkew, MaxClockDrift: d.MaxClockDrift,
	}
}
