package leadership

import (
	"fmt"

	"github.com/batonhq/baton/fsm"
)

// BreakerState is the state of the acquisition circuit breaker: after
// BreakerThreshold failed attempts in a row (anything but success or losing
// the race: a store that keeps failing is not helped by more writes) no
// attempt runs for BreakerCooldown.
type BreakerState int

// Breaker states.
const (
	// BreakerClosed: attempts run normally.
	BreakerClosed = BreakerState(fsm.BreakerClosed)
	// BreakerOpen: too many attempts failed in a row; none runs until the
	// cool-down ends.
	BreakerOpen = BreakerState(fsm.BreakerOpen)
	// BreakerHalfOpen: the cool-down ended; one trial attempt decides
	// whether the breaker closes or opens again.
	BreakerHalfOpen = BreakerState(fsm.BreakerHalfOpen)
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
