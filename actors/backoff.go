package actors

import (
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// GiveUpPolicy says what RestartWithBackoff does with a child that failed too
// often.
type GiveUpPolicy int

const (
	// Escalate fails the supervisor itself, with the child's reason, as
	// Proto.Actor's own strategies do: the supervisor's parent then decides.
	// The parent of the failed supervisor sees the supervisor fail, not which
	// child gave up. It is the zero value.
	Escalate GiveUpPolicy = iota
	// StopAndNotify stops the child and sends *ChildGaveUp to the supervisor,
	// which keeps running and can react (an election demotes itself rather
	// than lead without one of its children).
	StopAndNotify
)

// String returns the policy's name.
func (p GiveUpPolicy) String() string {
	switch p {
	case Escalate:
		return "escalate"
	case StopAndNotify:
		return "stop-and-notify"
	default:
		return fmt.Sprintf("GiveUpPolicy(%d)", int(p))
	}
}

// Defaults of BackoffSupervision, used for zero fields.
const (
	// DefaultRestartInitialInterval is the default InitialInterval.
	DefaultRestartInitialInterval = 100 * time.Millisecond
	// DefaultRestartMaxInterval is the default MaxInterval.
	DefaultRestartMaxInterval = 10 * time.Second
	// DefaultRestartMultiplier is the default Multiplier.
	DefaultRestartMultiplier = 2.0
	// DefaultRestartRandomizationFactor is the RandomizationFactor of
	// DefaultBackoffSupervision (a zero field means no jitter).
	DefaultRestartRandomizationFactor = 0.2
	// DefaultMaxRestarts is the default MaxRestarts.
	DefaultMaxRestarts = 5
	// DefaultRestartWindow is the default Window: longer than the sum of the
	// default delays (about 3.1s), so the default gives up.
	DefaultRestartWindow = time.Minute
)

// BackoffSupervision configures RestartWithBackoff. A zero field takes its
// default (DefaultBackoffSupervision), except RandomizationFactor, where zero
// means no jitter, and MaxInterval, which defaults to at least
// InitialInterval. To never restart, use Proto.Actor's one-for-one strategy
// with a stopping decider instead.
//
// The n-th failure within Window is followed by a restart after about
// InitialInterval * Multiplier^(n-1), capped at MaxInterval, randomized by
// ±RandomizationFactor. The failure after MaxRestarts failures within Window
// gives the child up according to OnGiveUp. Window must exceed the sum of the
// restart delays, or failures age out of it before MaxRestarts is reached and
// the child is restarted forever.
type BackoffSupervision struct {
	// InitialInterval is the delay before the first restart.
	InitialInterval time.Duration
	// MaxInterval caps the delay before the jitter is applied.
	MaxInterval time.Duration
	// Multiplier scales the delay after each failure; at least 1.
	Multiplier float64
	// RandomizationFactor spreads each delay over ±factor of itself, in
	// [0, 1); zero gives exact delays. Jitter keeps the children of many
	// supervisors that failed together from restarting in lockstep.
	RandomizationFactor float64
	// MaxRestarts is the number of failures within Window that are restarted.
	MaxRestarts int
	// Window is how far back failures count.
	Window time.Duration
	// OnGiveUp is what happens to a child that fails once more.
	OnGiveUp GiveUpPolicy
}

// DefaultBackoffSupervision returns the defaults: 100ms doubling up to 10s
// with 20% jitter, and at most 5 restarts a minute, then escalate.
func DefaultBackoffSupervision() BackoffSupervision {
	return BackoffSupervision{
		InitialInterval:     DefaultRestartInitialInterval,
		MaxInterval:         DefaultRestartMaxInterval,
		Multiplier:          DefaultRestartMultiplier,
		RandomizationFactor: DefaultRestartRandomizationFactor,
		MaxRestarts:         DefaultMaxRestarts,
		Window:              DefaultRestartWindow,
		OnGiveUp:            Escalate,
	}
}

// Validate reports the first out-of-range field, wrapped in ErrInvalidBackoff,
// and a MaxInterval below InitialInterval. Zero fields are valid.
func (c BackoffSupervision) Validate() error {
	switch {
	case c.InitialInterval < 0:
		return c.invalid("InitialInterval %v is negative", c.InitialInterval)
	case c.MaxInterval < 0:
		return c.invalid("MaxInterval %v is negative", c.MaxInterval)
	case c.Multiplier != 0 && !(c.Multiplier >= 1): // also rejects NaN
		return c.invalid("Multiplier %v is below 1", c.Multiplier)
	case !(c.RandomizationFactor >= 0 && c.RandomizationFactor < 1):
		return c.invalid("RandomizationFactor %v is outside [0, 1)", c.RandomizationFactor)
	case c.MaxRestarts < 0:
		return c.invalid("MaxRestarts %d is negative", c.MaxRestarts)
	case c.Window < 0:
		return c.invalid("Window %v is negative", c.Window)
	case c.OnGiveUp != Escalate && c.OnGiveUp != StopAndNotify:
		return c.invalid("OnGiveUp %v is unknown", c.OnGiveUp)
	}
	initial := c.withDefaults().InitialInterval
	if c.MaxInterval != 0 && c.MaxInterval < initial {
		return c.invalid("MaxInterval %v is below InitialInterval %v", c.MaxInterval, initial)
	}
	return nil
}

func (c BackoffSupervision) invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidBackoff, fmt.Sprintf(format, args...))
}

// withDefaults replaces each zero (but RandomizationFactor) or out-of-range
// field by its default and raises MaxInterval to InitialInterval, so a
// strategy never runs with a config Validate would reject.
func (c BackoffSupervision) withDefaults() BackoffSupervision {
	d := DefaultBackoffSupervision()
	if c.InitialInterval <= 0 {
		c.InitialInterval = d.InitialInterval
	}
	if c.MaxInterval <= 0 {
		c.MaxInterval = d.MaxInterval
	}
	c.MaxInterval = max(c.MaxInterval, c.InitialInterval)
	if !(c.Multiplier >= 1) {
		c.Multiplier = d.Multiplier
	}
	if !(c.RandomizationFactor >= 0 && c.RandomizationFactor < 1) {
		c.RandomizationFactor = d.RandomizationFactor
	}
	if c.MaxRestarts <= 0 {
		c.MaxRestarts = d.MaxRestarts
	}
	if c.Window <= 0 {
		c.Window = d.Window
	}
	if c.OnGiveUp != StopAndNotify {
		c.OnGiveUp = Escalate
	}
	return c
}

// delay returns the jittered delay before the restart that follows the n-th
// failure within the window (n >= 1).
func (c BackoffSupervision) delay(n int) time.Duration {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     c.InitialInterval,
		RandomizationFactor: c.RandomizationFactor,
		Multiplier:          c.Multiplier,
		MaxInterval:         c.MaxInterval,
	}
	b.Reset()
	d := b.NextBackOff()
	for range n - 1 {
		d = b.NextBackOff()
	}
	return d
}
