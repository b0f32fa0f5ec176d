package transport

import (
	"context"
	"time"
)

// LeaseStore keeps one lease per role. Implementations are safe for
// concurrent use. Every method honours its context's deadline; a write that
// runs out of time returns ErrUnknownOutcome.
type LeaseStore interface {
	// Acquire atomically creates the role's key holding rec, with a TTL of
	// rec.TTL. It returns ErrConflict when the key is held.
	Acquire(ctx context.Context, role string, rec Record) (Lease, error)
	// Renew rewrites the lease's key if it is still at lease.Revision,
	// keeping its TTL, and returns the lease at its new revision. It returns
	// ErrConflict when the key has moved on.
	Renew(ctx context.Context, lease Lease) (Lease, error)
	// Release deletes the lease's key if it is still at lease.Revision. It
	// returns ErrConflict when the key has moved on, in which case the caller
	// no longer held it anyway.
	Release(ctx context.Context, lease Lease) error
	// Get reads the role's key. It returns ErrNotFound when no lease is held.
	// The result may be stale.
	Get(ctx context.Context, role string) (Entry, error)
	// Watch follows the role's key. The watch first reports the key's
	// current state, then every change. Events may be stale or coalesced;
	// they are hints, never proof of who holds the lease.
	Watch(role string) (Watch, error)
}

// Lease is a held lease: what a holder needs to renew or release it.
type Lease struct {
	// Role is the key.
	Role string
	// Term is the revision at which the lease was acquired: the fencing
	// token's revision.
	Term uint64
	// Revision is the key's current revision, the one the next Renew or
	// Release must match.
	Revision uint64
	// Record is the value written at Revision.
	Record Record
}

// Entry is what a read found in a role's key.
type Entry struct {
	// Role is the key.
	Role string
	// Revision is the revision of the value read.
	Revision uint64
	// Written is when the server stored the value.
	Written time.Time
	// Record is the decoded value; meaningful only when Malformed is nil.
	Record Record
	// Malformed is non-nil when the key holds something that is not a lease
	// record. Such a key is held by a foreign holder: it is not free.
	Malformed error
}

// Term returns the revision at which the entry's lease was acquired: the
// record's Term once the holder has renewed, else the entry's own revision
// (a lease not yet renewed is still at its acquisition revision).
func (e Entry) Term() uint64 {
	if e.Malformed == nil && e.Record.Term != 0 {
		return e.Record.Term
	}
	return e.Revision
}

// EventKind says what happened to a watched key.
type EventKind int

// The kinds of key events.
const (
	// KeyPut: the key holds a value (a new lease or a renewal).
	KeyPut EventKind = iota + 1
	// KeyDeleted: the holder released the lease.
	KeyDeleted
	// KeyPurged: the key expired (its TTL passed) or was purged.
	KeyPurged
	// KeyAbsent: a read found no lease; how it went is unknown.
	KeyAbsent
)

// String names the kind for logs.
func (k EventKind) String() string {
	switch k {
	case KeyPut:
		return "put"
	case KeyDeleted:
		return "deleted"
	case KeyPurged:
		return "purged"
	case KeyAbsent:
		return "absent"
	default:
		return "unknown"
	}
}

// Free reports whether the event says the lease can be acquired.
func (k EventKind) Free() bool { return k == KeyDeleted || k == KeyPurged || k == KeyAbsent }

// KeyEvent is a change of a watched key.
type KeyEvent struct {
	// Kind is what happened.
	Kind EventKind
	// Entry is the key's state. For KeyPut it holds the value; for the other
	// kinds only Role and Revision (zero for KeyAbsent) are set.
	Entry Entry
	// FromPoll is true when a periodic read, not the watch, noticed the change.
	FromPoll bool
}

// Watch is a subscription to one role's key.
type Watch interface {
	// Events delivers key events. When the consumer falls behind, older
	// undelivered events are dropped in favour of newer ones. The channel is
	// closed by Stop.
	Events() <-chan KeyEvent
	// Stop ends the subscription. It is safe to call more than once.
	Stop()
}
