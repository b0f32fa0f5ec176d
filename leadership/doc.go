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
// Every transition is logged (Config.Logger), counted and traced through
// OpenTelemetry (Config.TracerProvider, Config.MeterProvider).
//
// What it guarantees:
//   - At most one candidate holds a role's lease at a time: the lease is taken
//     with an atomic create and kept with revision-checked writes.
//   - A leader that cannot prove its lease (no renewal it sent within
//     RenewDeadline succeeded) demotes itself, on its own clock, before the
//     server's TTL can hand the key to anyone else, even while disconnected.
//   - Every term has a fencing Token that grows with each new term; a resource
//     that accepts only superseding tokens rejects a stale leader's writes.
//   - Demoted is delivered before a later Promoted of the same candidate, and
//     the facade's callbacks never overlap.
//
// What it does not guarantee: that no two processes ever believe they lead at
// the same instant. A paused or partitioned leader may act on a lease that has
// already passed on before its own deadline fires; fencing tokens, checked by
// the resource being protected, are what make such writes harmless. Clock
// drift beyond Config.MaxClockDrift voids the self-demotion argument.
package leadership
