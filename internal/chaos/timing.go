package chaos

import (
	"fmt"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// Timing is the election timing every candidate of a run uses, and the
// bounds the checkers hold the election to. Short values keep a run to
// seconds; leadership.Config.Validate must accept them.
type Timing struct {
	// TTL, RenewDeadline, HeartbeatInterval, DisconnectGrace, OpTimeout,
	// PollInterval, HealthInterval, HealthFailureThreshold,
	// RetryMaxInterval and BreakerCooldown are passed to leadership.Config
	// (TTL, Health, Timings) unchanged.
	TTL                    time.Duration
	RenewDeadline          time.Duration
	HeartbeatInterval      time.Duration
	DisconnectGrace        time.Duration
	OpTimeout              time.Duration
	PollInterval           time.Duration
	HealthInterval         time.Duration
	HealthFailureThreshold int
	RetryMaxInterval       time.Duration
	BreakerCooldown        time.Duration
	// Sessions keeps every candidate's lease with its own session
	// (leadership.Config.Sessions) instead of a TTL per role key.
	Sessions bool

	// WriteIntervalMin and WriteIntervalMax bound the random pause between
	// two fenced writes of a candidate that believes it leads.
	WriteIntervalMin time.Duration
	WriteIntervalMax time.Duration
	// BeaconInterval is how often a candidate reports its status.
	BeaconInterval time.Duration
	// PingInterval is the candidates' NATS client ping interval; with two
	// pings outstanding allowed, a silently dead link is noticed after about
	// two intervals.
	PingInterval time.Duration

	// Settle is the window in which a steady state must hold: exactly one
	// candidate leads, every live candidate reports, only the leader writes
	// and every write is accepted.
	Settle time.Duration
	// LivenessBound is how soon after a fault heals a steady state must
	// begin (checker L).
	LivenessBound time.Duration
	// StartBound is how soon after the first candidate starts the first
	// steady state must begin.
	StartBound time.Duration
}

// DefaultTiming returns the timing CI uses: TTL 2s, RenewDeadline 1.2s,
// heartbeats every 300ms, and a liveness bound of TTL+2s. The breaker's
// cooldown is scaled to the TTL like the other timings (its default, 10s,
// is meant for the default 10s TTL).
func DefaultTiming() Timing {
	const ttl = 2 * time.Second
	return Timing{
		TTL:                    ttl,
		RenewDeadline:          1200 * time.Millisecond,
		HeartbeatInterval:      300 * time.Millisecond,
		DisconnectGrace:        600 * time.Millisecond,
		OpTimeout:              400 * time.Millisecond,
		PollInterval:           500 * time.Millisecond,
		HealthInterval:         200 * time.Millisecond,
		HealthFailureThreshold: 2,
		RetryMaxInterval:       time.Second,
		BreakerCooldown:        ttl,
		WriteIntervalMin:       50 * time.Millisecond,
		WriteIntervalMax:       100 * time.Millisecond,
		BeaconInterval:         100 * time.Millisecond,
		PingInterval:           500 * time.Millisecond,
		Settle:                 600 * time.Millisecond,
		LivenessBound:          ttl + 2*time.Second,
		StartBound:             20 * time.Second,
	}
}

// validate checks the harness's own fields; the election's fields are
// checked by leadership.Config.Validate when a candidate starts, and here
// once up front so a bad timing fails before any process is started.
func (t Timing) validate() error {
	bad := func(field string, d time.Duration) error {
		return fmt.Errorf("%w: Timing.%s %v must be positive", ErrInvalidScenario, field, d)
	}
	switch {
	case t.WriteIntervalMin <= 0:
		return bad("WriteIntervalMin", t.WriteIntervalMin)
	case t.WriteIntervalMax < t.WriteIntervalMin:
		return fmt.Errorf("%w: Timing.WriteIntervalMax %v is below WriteIntervalMin %v", ErrInvalidScenario, t.WriteIntervalMax, t.WriteIntervalMin)
	case t.BeaconInterval <= 0:
		return bad("BeaconInterval", t.BeaconInterval)
	case t.PingInterval <= 0:
		return bad("PingInterval", t.PingInterval)
	case t.Settle < 2*t.BeaconInterval || t.Settle < t.WriteIntervalMax:
		return fmt.Errorf("%w: Timing.Settle %v must cover two beacons and one write interval", ErrInvalidScenario, t.Settle)
	case t.LivenessBound <= 0:
		return bad("LivenessBound", t.LivenessBound)
	case t.StartBound <= 0:
		return bad("StartBound", t.StartBound)
	}
	// Validate only checks that a connection is given; an unconnected one
	// lets the timing be checked before any server runs.
	probe := t.electionConfig(&nats.Conn{}, "probe", "probe", 1, nil)
	if err := probe.Validate(); err != nil {
		return fmt.Errorf("%w: Timing: %w", ErrInvalidScenario, err)
	}
	return nil
}

// electionConfig is the leadership.Config of one candidate.
func (t Timing) electionConfig(nc *nats.Conn, role, id string, replicas int, health leadership.HealthChecker) leadership.Config {
	return leadership.Config{
		Conn:       nc,
		Role:       role,
		InstanceID: id,
		TTL:        t.TTL,
		Sessions:   t.Sessions,
		Bucket:     leadership.Bucket{Name: bucketName, Replicas: replicas},
		Health: leadership.Health{
			Checker:          health,
			Interval:         t.HealthInterval,
			FailureThreshold: t.HealthFailureThreshold,
		},
		// Only a drifting candidate has a higher priority than the others
		// (ClassClockDrift): the leader hands it the lease, and candidates
		// of equal priority never hand over among themselves.
		Succession: leadership.Succession{PreferredLeader: true},
		Timings: leadership.Timings{
			RenewDeadline:     t.RenewDeadline,
			HeartbeatInterval: t.HeartbeatInterval,
			DisconnectGrace:   t.DisconnectGrace,
			OpTimeout:         t.OpTimeout,
			PollInterval:      t.PollInterval,
			RetryMaxInterval:  t.RetryMaxInterval,
			BreakerCooldown:   t.BreakerCooldown,
		},
	}
}
