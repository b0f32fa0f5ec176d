package transport

import (
	"context"
	"time"
)

// LeaseStore keeps one lease per role. Implementations are safe for
// concurrent use. Every method honours its context's deadline; a write that
// runs out of time returns ErrUnknownOutcome.
//
// A store is meant to be shared: one per connection and bucket serves any
// number of elections, with one watch of the bucket and one listener of the
// connection between them.
type LeaseStore interface {
	// Acquire atomically creates the role's key holding rec, with a TTL of
	// rec.TTL. It returns ErrConflict when the key is held.
	Acquire(ctx context.Context, role string, rec Record) (Lease, error)
	// Renew rewrites the lease's key if it is still at lease.Revision,
	// keeping its TTL, and returns the lease at its new revision. It returns
	// ErrConflict when the key has moved on.
	Renew(ctx context.Context, lease Lease) (Lease, error)
	// Release deletes the lease's key if it is still at lease.Revision. It
	// returns ErrConflict when the key has moved on: to another lease, to
	// none, or to this lease at a later revision (a renewal the caller has
	// not heard of), which the caller tells apart with Read.
	Release(ctx context.Context, lease Lease) error
	// Get reads the role's key. It returns ErrNotFound when no lease is held.
	// The result may be stale.
	Get(ctx context.Context, role string) (Entry, error)
	// Read reads what the role's key holds from the stream leader, which
	// decided the last revision check: unlike Get, never a lagging
	// replica's copy. The event says what it found: a lease (KeyPut), a
	// delete or expiry marker at its revision (KeyDeleted, KeyPurged), no
	// message at all (KeyAbsent), or a lease whose session has ended
	// (KeySessionEnded, with SessionEnd read from the session key's last
	// message on the stream leader too).
	Read(ctx context.Context, role string) (KeyEvent, error)
	// Watch follows the role's key: notify is called first with the key's
	// current state, then with each change, in revision order, on the
	// store's delivery goroutine. notify must not block, and must not call
	// the store or Stop a watch (hand the event to a mailbox or a buffered
	// channel). Events may be stale or coalesced; they are hints, never
	// proof of who holds the lease. A watch made WatchAs a candidate may
	// hear later, coalesced, the changes that do not concern it (see
	// WatchAs).
	Watch(role string, notify func(KeyEvent), opts ...WatchOption) (Watch, error)
	// WatchConnection follows the status of the store's NATS connection:
	// notify is called first with the current state (Connected,
	// Disconnected or Closed), then with each change, on the store's
	// connection goroutine, under the same rules as Watch's notify.
	WatchConnection(notify func(ConnEvent)) Watch
}

// Store is everything an election asks of its store, stated in one place:
// an election holds a Store and never asks whether it can do more. Every
// method works in both modes; where a mode has nothing to do (no session
// without sessions), the method says what it returns instead.
type Store interface {
	LeaseStore
	Succession
	Sessions
	// Stats returns the store's counters.
	Stats() StoreStats
	// Close stops the store's watches, registrations and session. It is
	// safe to call more than once.
	Close()
}

// Sessions is what an election asks of the session that keeps its leases
// in session mode. Without sessions, Session returns "", Proof the zero
// SessionProof and ReleaseLater keeps nothing: a lease then lives only by
// its own TTL.
type Sessions interface {
	// Session returns the key of the store's live session, or "" when
	// there is none.
	Session() string
	// Proof returns the live session and when the newest write that
	// proves it was sent, on the store's clock: a snapshot published by
	// the session, read without I/O or a lock. It does not decide whether
	// the proof is fresh enough for anything: the election's core does.
	Proof() SessionProof
	// AwaitProofOlder calls wake once, on a goroutine of the store's, when
	// the newest proof of session key is older than age on the store's
	// clock, or key is not (or no longer) the live session, or the store
	// closes; at once, on the caller's goroutine, if any of these already
	// holds. cancel stops the wait (a wake already under way may still
	// run). wake must not block or call the store. Without sessions it
	// wakes at once. It decides nothing: the caller chooses the age.
	AwaitProofOlder(key string, age time.Duration, wake func()) (cancel func())
	// ReleaseLater hands the store a lease its holder stopped without
	// releasing, for the store to release while the lease's session lives.
	ReleaseLater(lease Lease)
}

// SessionProof is a session's newest proof: its key, and when the newest
// acknowledged write of it was sent, on the store's clock. The zero value
// is no live session.
type SessionProof struct {
	Key string
	At  time.Time
}

// Succession is what a store offers beyond LeaseStore for an order of
// succession: a candidate registry, acquisition over a known revision in one
// round trip, a planned handover in one write, and the read-back of a claim.
// The store decides none of them: the election chooses which write to make
// from what it saw in the key, and what to do when the server refuses it.
type Succession interface {
	// WriteOver acquires the role's key over the message at revision, in
	// one write the server checks against that revision: for a key that
	// held a delete or expiry marker there, a lease offered to rec.Holder,
	// or a lease of rec.Holder's under the store's own live session. It
	// returns ErrConflict when the key has moved on (or the marker has
	// itself expired and left no message), and never falls back to another
	// write.
	WriteOver(ctx context.Context, role string, rec Record, revision uint64) (Lease, error)
	// TakeOver acquires the role's key over a lease whose session ended
	// (KeySessionEnded): the lease at revision, kept by the session key
	// session, whose last message was end (0: the key has no message at
	// all). It is one atomic batch the server applies only if the role's
	// key is still at revision and the session key's last message is still
	// end, so a session that renewed since is never taken over (see
	// takeOver). It returns ErrConflict when either check fails.
	TakeOver(ctx context.Context, role string, rec Record, revision uint64, session string, end uint64) (Lease, error)
	// Offer hands lease to the candidate to: it rewrites the key, if it is
	// still at lease.Revision, with the same holder, nonce and term, marked
	// OfferedTo, under a TTL of OfferTTL. Only that candidate claims it
	// (WriteOver at the offer's revision); if it does not, the key
	// expires OfferTTL after the offer. It returns ErrConflict when the key
	// has moved on, as Release does.
	Offer(ctx context.Context, lease Lease, to string) (Lease, error)
	// Confirm reads the lease's key back from the stream leader and returns
	// the lease with Stored set: when the server stored the write at
	// lease.Revision. It returns ErrConflict when the key no longer holds
	// that write: a claim acknowledged over an offer whose TTL ran out can
	// be erased by the offer's expiry marker, and the server's stamps of the
	// offer and the claim tell whether it was applied in time.
	Confirm(ctx context.Context, lease Lease) (Lease, error)
	// Register keeps c registered in role's candidate registry until the
	// returned Watch is stopped (which deletes the entry, bounded by the
	// store's operation timeout) or the store is closed. The entry has a
	// TTL of ttl and is rewritten every ttl/3, so it lapses within ttl of a
	// crash; in session mode it names the session instead, leaves the
	// registry when the session ends, and is rewritten every 20 minutes.
	Register(role string, c Candidate, ttl time.Duration) (Watch, error)
	// WatchCandidates follows role's registry: notify is called with the
	// live candidates in the order of succession, first with the current
	// ones, then whenever one joins, leaves or changes, on the store's
	// delivery goroutine, under the same rules as Watch's notify. The slice
	// is shared: do not modify it.
	WatchCandidates(role string, notify func([]Candidate)) (Watch, error)
	// Candidates returns role's live candidates in the order of succession,
	// as the store's watch last saw them. The slice is shared: do not
	// modify it.
	Candidates(role string) []Candidate
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
	// Proof is when the write that proves the lease held was sent, on the
	// store's clock, when that write was not the call's own: in session
	// mode, the session renewal that keeps the lease. The holder's
	// deadline counts from it. Zero when the call's own write is the proof
	// (it was sent when the call began).
	Proof time.Time
	// Stored is when the server stored the write at Revision, on its wall
	// clock, when the call read it back (Succession.Confirm); else zero.
	Stored time.Time
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
	// KeySessionEnded: the key still holds a lease, but the session that
	// kept it has ended (its key expired or was deleted). Entry holds the
	// lease and SessionEnd the session key's last message; any candidate
	// may take it over at Entry.Revision (TakeOver), with a write the
	// server checks against that end.
	KeySessionEnded
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
	case KeySessionEnded:
		return "session_ended"
	default:
		return "unknown"
	}
}

// Free reports whether the event says the lease can be acquired.
func (k EventKind) Free() bool {
	return k == KeyDeleted || k == KeyPurged || k == KeyAbsent || k == KeySessionEnded
}

// KeyEvent is a change of a watched key.
type KeyEvent struct {
	// Kind is what happened.
	Kind EventKind
	// Entry is the key's state. For KeyPut and KeySessionEnded it holds the
	// value; for the other kinds only Role and Revision (zero for
	// KeyAbsent) are set.
	Entry Entry
	// FromPoll is true when a periodic read, not the watch, noticed the change.
	FromPoll bool
	// candidate is the decoded entry of a candidate registry key.
	candidate *Candidate
	// check marks the first message of a takeover batch, which holds no
	// lease (see takeOver).
	check bool
	// raw is a put's value while undecoded is set: read from a feed, it is
	// decoded only if the hub finds the event news (decode).
	raw       []byte
	undecoded bool
	// OurSession is set on a lease (KeyPut) kept by this store's own live
	// session, as the store knew it when it delivered the event: nobody
	// else can take such a key while the session lives.
	OurSession bool
	// SessionEnd comes with KeySessionEnded: the revision of the message
	// that ended the lease's session (0 when the session key has no
	// message left at all), which TakeOver expects to be its last.
	SessionEnd uint64
}

// Watch is a subscription to a key or to the connection's status.
type Watch interface {
	// Stop ends the subscription: once Stop has returned, notify is never
	// called again. It is safe to call more than once, but not from notify.
	Stop()
}
