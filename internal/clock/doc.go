// Package clock provides a drifting clock for
// leadership.Config.Timings.Clock, so tests and the fault harness
// (internal/chaos) can run an election whose clock is faster or slower than
// real time, as a host's clock can be relative to the NATS servers'.
//
// It guarantees that a Drifting clock is consistent with itself: its time
// and its timers run at the same rate. It does not model a clock that
// jumps (a step of the wall clock): the election measures durations on
// the monotonic clock, which never steps.
package clock
