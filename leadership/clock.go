package leadership

import "time"

// Clock is an election's time source: Now is the time of every input of
// the election's decisions (and the send time of its lease writes, from
// which its deadline counts), and AfterFunc arms its timers: it calls f in
// its own goroutine once d has passed on the clock, and returns stop, which
// cancels the call if it has not started yet and reports whether it did.
// Status.IsLeader of the election's snapshots reads the same clock.
//
// The real clock is the default (a nil Config.Timings.Clock). Another clock
// exists for tests and fault injection: a clock running faster or slower
// than real time shows what clock drift does to the election.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// realClock is real time.
type realClock struct{}

// Now implements Clock with time.Now.
func (realClock) Now() time.Time { return time.Now() }

// AfterFunc implements Clock with time.AfterFunc.
func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// clockOr is c, or real time when c is nil.
func clockOr(c Clock) Clock {
	if c == nil {
		return realClock{}
	}
	return c
}
