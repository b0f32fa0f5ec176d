// Package actors is Baton's kit for writing actors on Proto.Actor
// (github.com/asynkron/protoactor-go): term-tagged timers, restart-with-backoff
// supervision, blocking calls run off the actor's goroutine (Run), and trace
// context carried in message headers.
//
// Guarantees:
//   - Timers deliver *Tick messages that carry the name, term and arming they
//     belong to; Timers.Current tells a live tick from a stale one, so a tick
//     from a cancelled, re-armed or previous-term timer is never acted on.
//   - RestartWithBackoff restarts a failing child after an exponentially
//     growing, jittered delay without blocking the supervisor, and gives up
//     (escalating, or stopping the child and telling its parent) once the
//     child fails more than MaxRestarts times within Window.
//
// What it does not do: it knows nothing of NATS, leases or elections, and it
// makes no decisions for an actor: Baton's actors take theirs from the pure
// cores of package fsm. Nothing here is safe for concurrent use: a Timers
// value belongs to the one actor that created it and is used only from that
// actor's Receive. State is not persisted: an actor restarted by its
// supervisor is produced again and starts over with no timers armed.
package actors
