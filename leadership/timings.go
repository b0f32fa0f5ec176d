package leadership

import "time"

// Timings are the timing settings an election runs with, as Config.Timings
// derives them.
type Timings struct {
	TTL               time.Duration
	RenewDeadline     time.Duration
	HeartbeatInterval time.Duration
	DisconnectGrace   time.Duration
	OpTimeout         time.Duration
	PollInterval      time.Duration
	// MaxClockDrift is the drift assumed (0 for None).
	MaxClockDrift float64
	// MaxServerClockSkew is the server clock skew assumed (0 for None).
	MaxServerClockSkew time.Duration
	// WorkStopBudget is the time kept for the leader's work to stop.
	WorkStopBudget time.Duration
}

// How the timings follow from TTL. The renew deadline takes 70% of the TTL,
// which leaves the default 7s of 10s, but never comes closer than
// deadlineSlack (or a quarter of the room, when that is less) to its
// ceiling (see maxRenewDeadline), so a short TTL still passes Validate:
// 1.11s for a 2s TTL, 232ms for 1s.
const deadlineSlack = 100 * time.Millisecond

// Timings returns the timings c runs with: the fields c sets are kept, and
// the ones it leaves zero are derived, each from the ones before it:
//
//   - TTL: DefaultTTL (10s).
//   - RenewDeadline: 70% of TTL, kept at least 100ms under its ceiling
//     (TTL-MaxServerClockSkew)*(1-2*MaxClockDrift) - SafetyMargin -
//     WorkStopBudget.
//   - HeartbeatInterval: RenewDeadline*2/7, so three renewals fit in the
//     deadline and two can fail.
//   - OpTimeout: HeartbeatInterval, at most DefaultOpTimeout, so a renewal
//     never outlives the next one's turn.
//   - DisconnectGrace: RenewDeadline - HeartbeatInterval, as long as a
//     leader could still renew once after the link returns.
//   - PollInterval: TTL/5.
//
// For TTL 10s this gives the defaults 7s, 2s, 2s, 5s and 2s; for TTL 2s
// 1.11s, 317ms, 317ms, 793ms and 400ms; for TTL 1s 232ms, 66ms, 66ms,
// 166ms and 200ms (with the default MaxClockDrift and MaxServerClockSkew,
// and no WorkStopBudget). Each derived value is whole milliseconds. Every valid TTL with
// nothing else set derives timings Validate accepts; explicitly set values
// are validated as given. Timings does not validate.
func (c Config) Timings() Timings {
	t := Timings{
		TTL:                c.TTL,
		RenewDeadline:      c.RenewDeadline,
		HeartbeatInterval:  c.HeartbeatInterval,
		DisconnectGrace:    c.DisconnectGrace,
		OpTimeout:          c.OpTimeout,
		PollInterval:       c.PollInterval,
		MaxClockDrift:      c.MaxClockDrift,
		MaxServerClockSkew: c.MaxServerClockSkew,
		WorkStopBudget:     c.WorkStopBudget,
	}
	switch t.MaxClockDrift {
	case 0:
		t.MaxClockDrift = DefaultMaxClockDrift
	case None:
		t.MaxClockDrift = 0
	}
	switch t.MaxServerClockSkew {
	case 0:
		t.MaxServerClockSkew = DefaultMaxServerClockSkew
	case None:
		t.MaxServerClockSkew = 0
	}
	if t.TTL == 0 {
		t.TTL = DefaultTTL
	}
	// Each value is derived from the one before it, or from that one's own
	// derivation when it is set but invalid, so one invalid field never
	// makes the ones derived from it invalid too.
	ttl := positiveOr(t.TTL, DefaultTTL)
	ceiling := max(maxRenewDeadline(ttl, t.MaxClockDrift, max(t.MaxServerClockSkew, 0), max(t.WorkStopBudget, 0)), time.Millisecond)
	deadline := min(scale(ttl, 7, 10), (ceiling - min(deadlineSlack, ceiling/4)).Truncate(time.Millisecond))
	if t.RenewDeadline == 0 {
		t.RenewDeadline = deadline
	}
	deadline = positiveOr(t.RenewDeadline, deadline)
	heartbeat := scale(deadline, 2, 7)
	if t.HeartbeatInterval == 0 {
		t.HeartbeatInterval = heartbeat
	}
	if t.HeartbeatInterval > 0 && t.HeartbeatInterval <= deadline/3 {
		heartbeat = t.HeartbeatInterval
	}
	if t.OpTimeout == 0 {
		t.OpTimeout = min(heartbeat, DefaultOpTimeout)
	}
	if t.DisconnectGrace == 0 {
		t.DisconnectGrace = deadline - heartbeat
	}
	if t.PollInterval == 0 {
		t.PollInterval = scale(ttl, 1, 5)
	}
	return t
}

// positiveOr returns v if it is positive, else fallback.
func positiveOr(v, fallback time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return fallback
}

// maxRenewDeadline is the longest RenewDeadline Validate accepts: the
// leader must give up, and its work must have stopped (budget), before the
// server could free its key. The server's expiry comes up to skew early
// (its wall clock: a step, or an offset between servers), and it measures
// the rest with a clock whose rate may differ from ours by drift; a
// renewal in flight gets SafetyMargin.
func maxRenewDeadline(ttl time.Duration, drift float64, skew, budget time.Duration) time.Duration {
	return time.Duration(float64(ttl-skew)*(1-2*drift)) - SafetyMargin - budget
}

// scale returns d*num/den in whole milliseconds, rounded down so a derived
// value never exceeds the limit it was derived under. Integer arithmetic
// keeps 7s*2/7 exactly 2s.
func scale(d time.Duration, num, den int64) time.Duration {
	return (d * time.Duration(num) / time.Duration(den)).Truncate(time.Millisecond)
}
