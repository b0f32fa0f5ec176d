package actors

import "time"

// Clock arms the timers of Timers. AfterFunc calls f in its own goroutine
// once d has passed on the clock, and returns stop, which cancels the call
// if it has not started yet and reports whether it did. A clock whose time
// runs at another rate than real time fires its timers at that rate, which
// is how a test makes an actor's timers drift.
type Clock interface {
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// realClock is real time: Timers' default.
type realClock struct{}

// AfterFunc implements Clock with time.AfterFunc.
func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// TimersOption configures NewTimers.
type TimersOption func(*Timers)

// WithClock makes Timers arm their timers on c instead of real time; a nil
// c keeps real time.
func WithClock(c Clock) TimersOption {
	return func(t *Timers) {
		if c != nil {
			t.clock = c
		}
	}
}
