package leadership

import (
	"fmt"
	"time"
)

// BreakerState is the state of the acquisition circuit breaker.
type BreakerState int

// Breaker states.
const (
	// BreakerClosed: attempts run normally.
	BreakerClosed BreakerState = iota
	// BreakerOpen: too many attempts failed in a row; none runs until the
	// cool-down ends.
	BreakerOpen
	// BreakerHalfOpen: the cool-down ended; one trial attempt decides
	// whether the breaker closes or opens again.
	BreakerHalfOpen
)

// String names the state.
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	default:
		return fmt.Sprintf("BreakerState(%d)", int(s))
	}
}

// breaker stops acquisition attempts for a cool-down after threshold
// consecutive failures (anything but success or losing the race: a store
// that keeps failing is not helped by more writes). It is owned by the
// election actor and used only from its Receive, so it needs no lock, and
// it takes the time as an argument so its logic is tested without a clock.
type breaker struct {
	threshold int
	cooldown  time.Duration
	failures  int
	state     BreakerState
	openUntil time.Time
}

// allow reports whether an attempt may start at now, and when the next one
// may if not. An open breaker whose cool-down ended becomes half-open and
// allows one trial.
func (b *breaker) allow(now time.Time) (bool, time.Duration) {
	if b.state == BreakerOpen {
		if now.Before(b.openUntil) {
			return false, b.openUntil.Sub(now)
		}
		b.state = BreakerHalfOpen
	}
	return true, 0
}

// record counts an attempt's outcome: ok is a success or a lost race. It
// reports whether the breaker opened.
func (b *breaker) record(ok bool, now time.Time) bool {
	if ok {
		b.failures, b.state = 0, BreakerClosed
		return false
	}
	b.failures++
	if b.state == BreakerHalfOpen || b.failures >= b.threshold {
		b.state, b.openUntil = BreakerOpen, now.Add(b.cooldown)
		return true
	}
	return false
}
