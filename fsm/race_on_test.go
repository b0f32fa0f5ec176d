//go:build race

package fsm

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = true
