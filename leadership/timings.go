package leadership

import "time"

// Timings are an election's timings, and the clock they run on. A zero
// field takes its default; the ones marked "derived" follow from
// Config.TTL (see Config.EffectiveTimings), so a TTL alone sets them all.
type Timings struct {
	// HeartbeatInterval is how often the leader renews. At most
	// RenewDeadline/3. Default derived: RenewDeadline*2/7 (2s for TTL 10s).
	HeartbeatInterval time.Duration
	// RenewDeadline is how long after sending its last successful renewal a
	// leader keeps leading. At most TTL*(1-2*MaxClockDrift) - SafetyMargin,
	// so the leader gives up before the server could free its key.
	// Default derived from TTL (7s for TTL 10s; see Config.EffectiveTimings).
	RenewDeadline time.Duration
	// DisconnectGrace is how long a leader that lost its connection waits
	// for it to return before it demotes. At most RenewDeadline (which
	// applies anyway). Default derived: RenewDeadline - HeartbeatInterval
	// (5s for TTL 10s).
	DisconnectGrace time.Duration
	// MaxClockDrift is the largest relative rate difference assumed between
	// this host's clock and the server's, in [0, 0.2]. Default 0.05; None
	// assumes none.
	MaxClockDrift float64
	// MaxServerClockSkew bounds how much earlier than its TTL the servers
	// can expire a key because of their wall clocks: a key expires when the
	// wall clock of the node leading the stream passes the stamp the node
	// that stored it gave it plus the TTL, so a forward step of a server's
	// clock, or an offset between two servers across a change of stream
	// leader, shortens every lease by that much. The renew deadline keeps
	// this much room. Servers should keep time with slew-only sync (chrony
	// or ntpd without steps), which keeps their offsets to milliseconds.
	// At least 0 and less than TTL/2. Default 100ms; None assumes none.
	MaxServerClockSkew time.Duration
	// WorkStopBudget is how long the leader's work may take to stop once
	// its term ends (OnPromote's context is cancelled, Demoted is sent):
	// the leader demotes itself this much earlier, so its work has stopped
	// before the server can give the lease to another. A planned handover
	// (Resign, HandOff, Stop) waits for the work anyway (see
	// Succession.AwaitWorkStopped); the budget covers the demotions that
	// cannot wait, such as a lost connection or a missed deadline. Default
	// 0: the work must stop at once, within SafetyMargin.
	WorkStopBudget time.Duration
	// CampaignJitter spreads the candidates that wake on a freed lease so
	// they do not all write at once. Default 25ms; None campaigns at once.
	CampaignJitter time.Duration
	// RetryInitialInterval and RetryMaxInterval bound the exponential
	// backoff between acquisition attempts that failed for a reason other
	// than losing the race. Defaults 100ms and 5s.
	RetryInitialInterval time.Duration
	RetryMaxInterval     time.Duration
	// BreakerThreshold is how many acquisition attempts in a row may fail
	// (for any reason but losing the race) before the circuit breaker opens
	// and stops attempts for BreakerCooldown. Default 5.
	BreakerThreshold int
	// BreakerCooldown is how long an open breaker stops attempts; then one
	// trial attempt closes it or opens it again. Default 10s.
	BreakerCooldown time.Duration
	// ResignHoldOff is how long a candidate that resigned waits before it
	// campaigns again, so another can take over. Default 1s; None campaigns
	// again at once.
	ResignHoldOff time.Duration
	// OpTimeout bounds each NATS operation, and opening the bucket. At most
	// RenewDeadline. Default derived: HeartbeatInterval, at most 2s.
	OpTimeout time.Duration
	// PollInterval is how often the store checks that its watch keeps up,
	// as a backstop for a stalled watch: one read of the stream's last
	// revision, and a re-list of the bucket when the watch is behind (and
	// at every tenth check). A candidate that lost a race and still sees
	// the key free campaigns again after it. Default derived: TTL/5 (2s
	// for TTL 10s).
	PollInterval time.Duration
	// Clock is the election's time source: the time of its decisions, its
	// timers and Status.IsLeader. Nil means real time, which is what a
	// program wants; another clock exists for tests and fault injection,
	// where a clock running faster or slower than real time shows what
	// clock drift does to the election.
	Clock Clock
}

// How the timings follow from TTL. The renew deadline takes 70% of the TTL,
// which leaves the default 7s of 10s, but never comes closer than
// deadlineSlack (or a quarter of the room, when that is less) to its
// ceiling (see maxRenewDeadline), so a short TTL still passes Validate:
// 1.11s for a 2s TTL, 232ms for 1s.
const deadlineSlack = 100 * time.Millisecond

// EffectiveTimings returns the timings c runs with: the fields c.Timings
// sets are kept, the ones it leaves zero take their defaults, None becomes
// zero (off), and the timings derived from TTL are derived, each from the
// ones before it:
//
//   - TTL (not part of Timings): DefaultTTL (10s) when zero.
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
// are validated as given. EffectiveTimings does not validate.
func (c Config) EffectiveTimings() Timings {
	t := c.Timings
	switch t.MaxClockDrift {
	case 0:
		t.MaxClockDrift = DefaultMaxClockDrift
	case None:
		t.MaxClockDrift = 0
	}
	noneOr(&t.MaxServerClockSkew, DefaultMaxServerClockSkew)
	// Each value is derived from the one before it, or from that one's own
	// derivation when it is set but invalid, so one invalid field never
	// makes the ones derived from it invalid too.
	ttl := positiveOr(c.TTL, DefaultTTL)
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
	noneOr(&t.CampaignJitter, DefaultCampaignJitter)
	noneOr(&t.ResignHoldOff, DefaultResignHoldOff)
	orDefault(&t.RetryInitialInterval, DefaultRetryInitialInterval)
	orDefault(&t.RetryMaxInterval, DefaultRetryMaxInterval)
	orDefault(&t.BreakerThreshold, DefaultBreakerThreshold)
	orDefault(&t.BreakerCooldown, DefaultBreakerCooldown)
	return t
}

// orDefault sets *v to def when it is zero.
func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// noneOr sets *d to def when it is zero, and to zero when it is None.
func noneOr(d *time.Duration, def time.Duration) {
	switch *d {
	case 0:
		*d = def
	case None:
		*d = 0
	}
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
