package cli

import (
	"time"

	"github.com/batonhq/baton/leadership"
)

// deadlineSlack keeps the renew deadline under its ceiling, so a TTL the
// examples accept never sits on the edge of Config.Validate.
const deadlineSlack = 100 * time.Millisecond

// Timings returns a Config holding only election timings, each derived from
// ttl so Config.Validate accepts them: the renew deadline sits
// deadlineSlack under its ceiling TTL*(1-2*drift) - SafetyMargin (1.2s for
// a 2s TTL), renewals come four times per deadline, the disconnect grace
// and operation timeout are fractions of the deadline, and the watched key
// is read four times per TTL. ttl must be a whole number of seconds, at
// least 1s; the caller sets the remaining fields.
func Timings(ttl time.Duration) leadership.Config {
	ceiling := time.Duration(float64(ttl)*(1-2*leadership.DefaultMaxClockDrift)) - leadership.SafetyMargin
	deadline := ceiling - deadlineSlack
	return leadership.Config{
		TTL:               ttl,
		RenewDeadline:     deadline,
		HeartbeatInterval: deadline / 4,
		DisconnectGrace:   deadline / 2,
		OpTimeout:         deadline / 3,
		PollInterval:      ttl / 4,
	}
}
