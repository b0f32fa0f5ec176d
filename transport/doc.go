// Package transport keeps Baton's leases in a NATS JetStream KeyValue bucket.
//
// It owns every NATS type Baton touches: the rest of the module sees only the
// LeaseStore interface, the Record stored in a role's key, the sentinel errors
// of errors.go and the connection events of conn.go.
//
// What it guarantees:
//   - Acquire is an atomic create: exactly one of several concurrent callers
//     gets the key, the others get ErrConflict.
//   - Renew is a compare-and-set on the revision the caller holds and keeps the
//     key's TTL, so a holder that stops renewing loses the key TTL after its
//     last successful renewal.
//   - Release deletes the key only at the revision the caller holds, so a slow
//     holder never deletes its successor's key.
//   - A write whose reply never came returns ErrUnknownOutcome: it may or may
//     not have been applied, and callers must assume the worst.
//   - Release deletes the lease at its latest revision, also when a renewal
//     the caller has not heard of moved the key on.
//   - A store's watches cost no goroutine each: one watch of the bucket and
//     one listener of the connection serve them all, calling back on one
//     goroutine per store, each key's events in revision order. Reads that
//     back the watch up (a re-list of the bucket every PollInterval, after
//     a reconnect and after the client fell behind) run off that goroutine
//     and never delay an event. Falling behind is counted in Stats, never
//     silent.
//
// What it does not guarantee: reads (Get and watches) may be stale. They are
// hints for when to try a write; only the acknowledgement of a write decides
// who holds a lease.
package transport
