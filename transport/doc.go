// Package transport keeps Baton's leases in a NATS JetStream KeyValue bucket.
//
// Within the library it is the only package that reads or writes the
// bucket: elections reach it through one interface, Store, with the Record
// stored in a role's key, the sentinel errors of errors.go and the
// connection events of conn.go, and hold no JetStream type. It is not the only user of
// the NATS connection: package leadership serves its request proxy and
// control subjects on it directly, outside the bucket.
//
// What it guarantees:
//   - Acquire is an atomic create: exactly one of several concurrent callers
//     gets the key, the others get ErrConflict.
//   - Renew of a lease with a TTL of its own is a compare-and-set on the
//     revision the caller holds that writes the key again with its TTL, so
//     a holder that stops renewing loses the key TTL after its last
//     successful renewal. A lease kept by a session (Options.Session) is
//     not written at all: Renew returns the proof of a renewal of the
//     session's key, and once that key has expired, TTL after its last
//     renewal, the server lets another candidate take the lease over.
//   - WriteOver and TakeOver acquire a key over the revision the caller
//     saw, in one write the server checks (TakeOver also against the end
//     of the session that kept the lease); neither falls back to another
//     write when refused. The caller chooses which write to make, and what
//     to do when the server refuses it (package fsm's rows).
//   - Release deletes the key only at the revision the caller holds, and
//     returns ErrConflict when the key has moved on, even to the same
//     lease at a later revision (a renewal the caller has not heard of):
//     Read, from the stream leader, tells the caller which. It never
//     deletes a successor's key.
//   - A write whose reply never came returns ErrUnknownOutcome: it may or may
//     not have been applied, and callers must assume the worst.
//   - A store's watches cost no goroutine each: one watch of the bucket and
//     one listener of the connection serve them all, calling back key
//     events on the watch hub's goroutine and connection events on the
//     listener's, each key's events in revision order. Reads that back the
//     watch up (a re-list of the bucket when a check every PollInterval
//     finds the watch behind, the stream under a new leader, or fails,
//     after a reconnect, after the live watch ended and after the client
//     fell behind, and without cause every tenth check or every 100 ms per
//     key, whichever is longer) run off the hub's goroutine and never
//     delay an event.
//     Falling behind is counted in Stats, never silent.
//
// What it does not guarantee: reads (Get and watches) may be stale. They are
// hints for when to try a write; only the acknowledgement of a write decides
// who holds a lease.
package transport
