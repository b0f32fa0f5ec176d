// Package fsm holds Baton's state machines as data: a Table lists, for every
// (state, event) pair, whether the event moves the machine, leaves it where it
// is, or is refused. Election returns the table that drives one election.
//
// Guarantees: a Table that passes Validate is total (every pair has exactly one
// rule), so a Machine built from it never meets an undecided pair; the state
// diagram in docs/state-diagram.md is generated from the same table and a test
// fails when it is stale; a Machine only ever holds one of the table's states.
//
// What it does not do: it knows nothing of actors, NATS, time or goroutines. It
// runs no callbacks and has no side effects; the caller (the election actor)
// acts on the returned Transition. A Machine is not safe for concurrent use: it
// is owned by one goroutine, the actor that fires its events.
package fsm
