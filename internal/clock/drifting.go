package clock

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrInvalidDrift is returned by NewDrifting for a drift that leaves no
// clock: not a finite number above -1.
var ErrInvalidDrift = errors.New("clock: invalid drift")

// Drifting is a clock whose time runs at rate 1+rho relative to real time
// from the instant it was made, where it agrees with real time: after a
// real second it has advanced 1+rho seconds, and a timer armed for d fires
// after d/(1+rho) of real time. It is safe for concurrent use.
type Drifting struct {
	start time.Time // real time when the clock was made, with its monotonic reading
	rate  float64
}

// NewDrifting returns a clock running at rate 1+rho: a positive rho runs
// fast, a negative one slow. It returns an error wrapping ErrInvalidDrift
// unless rho is finite and above -1.
func NewDrifting(rho float64) (*Drifting, error) {
	if math.IsNaN(rho) || math.IsInf(rho, 0) || rho <= -1 {
		return nil, fmt.Errorf("%w: rho %v must be finite and above -1", ErrInvalidDrift, rho)
	}
	return &Drifting{start: time.Now(), rate: 1 + rho}, nil
}

// Rate is 1+rho: how many of the clock's seconds pass in a real second.
func (c *Drifting) Rate() float64 { return c.rate }

// Now is the clock's time. It carries the monotonic reading of the real
// start, so durations between two of its times are measured on it.
func (c *Drifting) Now() time.Time {
	return c.start.Add(scale(time.Since(c.start), c.rate))
}

// AfterFunc calls f in its own goroutine once d has passed on the clock,
// d/(1+rho) of real time, and returns the timer's stop.
func (c *Drifting) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(scale(d, 1/c.rate), f).Stop
}

// Real is the real time at which the clock reads t: how a time the clock
// gave (a lease deadline, say) is compared with other processes' times.
func (c *Drifting) Real(t time.Time) time.Time {
	return c.start.Add(scale(t.Sub(c.start), 1/c.rate))
}

// scale is d*f, saturated at the bounds of a Duration rather than wrapped:
// a very slow clock may be asked for a timer beyond what a Duration holds.
func scale(d time.Duration, f float64) time.Duration {
	v := float64(d) * f
	switch {
	case v >= math.MaxInt64:
		return math.MaxInt64
	case v <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(v)
}
