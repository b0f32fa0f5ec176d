// Package fsm holds Baton's decisions as pure functions over data. Step is
// the decision core of one election and RoleStep the lifecycle of one role:
// each takes a state and one input and returns the next state and the
// effects to carry out, by applying the first of its rows (core_rows.go,
// role_rows.go) that matches the phase and the input and whose guard holds.
// Both apply their rows with one row engine (rows.go). The phases and the
// moves between them are a Table (Election, RoleLifecycle), which lists for
// every (phase, event) pair whether the event moves the phase, leaves it
// where it is, or is refused. A Machine runs a Table on its own: it holds a
// current phase and changes it only as the table says.
//
// Guarantees: a Table that passes Validate is total (every pair has exactly
// one rule). The rows of Step and RoleStep are total too (every phase and
// input has a row that always applies, if only to change nothing) and fire
// only moves their table makes; they are checked against it on first use, and
// the check's ErrInvalidTable, which the package's tests rule out, is a panic
// there, since neither function returns an error. Step and RoleStep read no
// clock, do no I/O and keep no state, so the same arguments always give the
// same result. The state diagram in docs/state-diagram.md is generated from
// the tables and rows, and a test fails when it is stale. A Machine only ever
// holds one of its table's states.
//
// What it does not do: it knows nothing of actors, NATS or goroutines, and
// time comes with each input. It carries out no effect: the actors of package
// leadership do, and turn what they receive into inputs. A Machine is not
// safe for concurrent use: it belongs to one goroutine.
package fsm
