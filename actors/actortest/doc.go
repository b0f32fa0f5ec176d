// Package actortest helps test Proto.Actor actors: a Probe is an actor that
// records the messages it receives so a test can wait for them with Expect,
// and can act as the parent (and supervisor) of the actor under test.
//
// Every wait has a deadline and fails the test with what it waited for and
// what it saw instead. It does not fake time: timers and supervision delays
// run on the real clock.
package actortest
