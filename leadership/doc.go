// Package leadership is Baton's public API: leader election on NATS
// JetStream KeyValue, one actor per election.
//
// An election is one role contested by one candidate. Spawn it from
// NewProps as an actor (it reports *Promoted, *Demoted and *LeaderChanged to
// its parent and on the actor system's EventStream), or drive it through the
// Election facade with callbacks. A RoleManager runs many roles for one
// instance: roles may have parent roles (a child role campaigns only while
// this instance leads its parent, as a child actor of the parent's role
// actor) and leader-only work actors that run exactly while the role is led.
//
// The actor messages and the facade's methods share some names on purpose:
// the facade's Resign sends the *Resign message, Status answers what
// *GetStatus answers, and Token is the Token a *Promoted carries. Actor users
// send messages; everyone else calls the facade. To ask "do I lead now?",
// call Election.IsLeader or Status.IsLeader, which also check the lease's
// deadline on the local clock; Status.Leading only says what the election
// actor held when it published the snapshot. An election that cannot make
// progress sends *Warning (Election.OnError); one that cannot run at all
// sends *Failed and stops.
//
// Every transition is logged (Config.Telemetry.Logger), counted and traced
// through OpenTelemetry (Config.Telemetry.TracerProvider,
// Config.Telemetry.MeterProvider).
//
// What it guarantees:
//   - At most one candidate holds a role's lease at a time: the lease is taken
//     only with a write the server checks, either an atomic create or a
//     write expecting the revision the candidate saw (a delete or expiry
//     marker, an offer to it, or a term of its own left under its own
//     session), and taken over from a dead session only with a batch the
//     server checks against that session's end. A claim of an offer is also
//     read back, to prove it was applied before the offer could expire. The
//     lease is kept by renewals that expect the key's revision or, with
//     Config.Sessions, by its session, whose renewals expect the session
//     key's revision.
//   - A leader that cannot prove its lease (no renewal it sent within
//     RenewDeadline succeeded, answered before that deadline) demotes
//     itself, on its own clock, before the server's TTL can hand the key to
//     anyone else, even while disconnected; the deadline keeps room for the
//     servers' clock skew and for the leader's work to stop
//     (Config.Timings.WorkStopBudget).
//   - The facade and role managers write a planned handover's release or
//     offer only after OnDemote has returned.
//   - Every term has a fencing Token that grows with each new term; a resource
//     that accepts only superseding tokens rejects a stale leader's writes.
//   - Demoted is delivered before a later Promoted of the same candidate, and
//     the facade's callbacks never overlap.
//
// What it does not guarantee: that no two processes ever believe they lead
// at the same instant. A paused or partitioned leader may act on a lease
// that has already passed on before its own deadline fires; fencing tokens,
// checked by the resource being protected, are what make such writes
// harmless. Clock drift beyond Config.Timings.MaxClockDrift, or server wall
// clocks further apart (or stepped further) than
// Config.Timings.MaxServerClockSkew, void the self-demotion argument.
package leadership
