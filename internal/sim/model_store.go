package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

// modelStore is the store's primitives (interpret.Store) on the model
// server, at the instant a call reaches it: what transport.JetStreamStore
// does on JetStream, one write or one read each. In session mode, session
// is the store's live session, which a new lease is bound to and by which
// a read tells a lease under it, and proof its proof; binding to it is
// the session's own work (see bind), done before the call is sent. The injected bugs that change a write are
// made here.
type modelStore struct {
	w       *world
	session string
	proof   time.Time
}

var _ interpret.Store = modelStore{}

// errConflict is the model's refusal of a revision check, as transport
// classifies it.
var errConflict = fmt.Errorf("%w: wrong last sequence", transport.ErrConflict)

// conflictOf turns the model's error into transport's.
func conflictOf(err error) error {
	if err != nil {
		return errConflict
	}
	return nil
}

// valueOf is the model's value for a record.
func valueOf(rec transport.Record) value {
	return value{holder: rec.Holder, nonce: rec.Nonce, term: rec.Term, session: rec.Session, offeredTo: rec.OfferedTo}
}

// newTerm binds rec as a new term's record, as transport's bindRecord
// does, and returns the TTL its key is written with: none under a session.
func (m modelStore) newTerm(rec *transport.Record) time.Duration {
	rec.Term, rec.OfferedTo, rec.Session = 0, "", m.session
	if m.session != "" {
		return 0
	}
	return rec.TTL
}

// won is the lease a new term's write gave.
func (m modelStore) won(role string, e Entry[value], rec transport.Record, err error) (transport.Lease, error) {
	if err != nil {
		return transport.Lease{}, conflictOf(err)
	}
	return transport.Lease{Role: role, Term: e.Revision, Revision: e.Revision, Record: rec, Proof: m.proof}, nil
}

func (m modelStore) Acquire(_ context.Context, role string, rec transport.Record) (transport.Lease, error) {
	keep := m.newTerm(&rec)
	e, err := m.w.store.Create(role, valueOf(rec), keep, m.w.serverNow())
	return m.won(role, e, rec, err)
}

func (m modelStore) WriteOver(_ context.Context, role string, rec transport.Record, revision uint64) (transport.Lease, error) {
	keep := m.newTerm(&rec)
	e, err := m.w.store.Update(role, valueOf(rec), revision, keep, m.w.serverNow())
	return m.won(role, e, rec, err)
}

// TakeOver is the server-checked batch; under BugTakeoverUnchecked, a plain
// revision-checked write.
func (m modelStore) TakeOver(ctx context.Context, role string, rec transport.Record, revision uint64, session string, end uint64) (transport.Lease, error) {
	w := m.w
	if w.opts.Bug == BugTakeoverUnchecked {
		l, err := m.WriteOver(ctx, role, rec, revision)
		if err == nil {
			w.res.Takeovers++
		}
		return l, err
	}
	m.newTerm(&rec)
	e, err := w.store.TakeOver(role, valueOf(rec), revision, session, end, w.serverNow())
	if err == nil {
		w.res.Takeovers++
	}
	return m.won(role, e, rec, err)
}

// Renew rewrites a lease kept by its own TTL at its revision, keeping the
// TTL (dropping it under BugRenewDropsTTL). A session lease is renewed by
// its session's proof instead (see renewBySession).
func (m modelStore) Renew(_ context.Context, lease transport.Lease) (transport.Lease, error) {
	rec := lease.Record
	rec.Term = lease.Term
	keep := rec.TTL
	if m.w.opts.Bug == BugRenewDropsTTL {
		keep = 0
	}
	e, err := m.w.store.Update(lease.Role, valueOf(rec), lease.Revision, keep, m.w.serverNow())
	if err != nil {
		return transport.Lease{}, conflictOf(err)
	}
	lease.Revision, lease.Record = e.Revision, rec
	return lease, nil
}

// Release deletes the key at the lease's revision; under BugBlindRelease,
// whatever it holds.
func (m modelStore) Release(_ context.Context, lease transport.Lease) error {
	now := m.w.serverNow()
	if m.w.opts.Bug == BugBlindRelease {
		m.w.store.Delete(lease.Role, now)
		return nil
	}
	_, err := m.w.store.DeleteAt(lease.Role, lease.Revision, now)
	return conflictOf(err)
}

// Offer rewrites the lease at its revision, offered to to, under
// transport.OfferTTL.
func (m modelStore) Offer(_ context.Context, lease transport.Lease, to string) (transport.Lease, error) {
	rec := lease.Record
	rec.Term, rec.OfferedTo = lease.Term, to
	e, err := m.w.store.Update(lease.Role, valueOf(rec), lease.Revision, transport.OfferTTL, m.w.serverNow())
	if err != nil {
		return transport.Lease{}, conflictOf(err)
	}
	lease.Revision, lease.Record = e.Revision, rec
	return lease, nil
}

// Confirm finds the lease's write while the key still holds it at its
// revision, with the server's stamp.
func (m modelStore) Confirm(_ context.Context, lease transport.Lease) (transport.Lease, error) {
	e := m.w.store.Get(lease.Role)
	if e.Kind != Put || e.Revision != lease.Revision {
		return transport.Lease{}, errConflict
	}
	lease.Stored = e.Written
	return lease, nil
}

// Read is what the key holds on the stream leader and, for a session
// lease, whether its session key still holds a value.
func (m modelStore) Read(_ context.Context, role string) (transport.KeyEvent, error) {
	e := m.w.store.Get(role)
	ended, end := false, uint64(0)
	if e.Kind == Put && e.Value.session != "" {
		s := m.w.store.Get(e.Value.session)
		ended, end = s.Kind != Put, s.Revision
	}
	return eventOf(e, ended, end, m.session), nil
}

// eventOf is the watch event, or the read, of a key's last message for a
// store whose live session is ours: a lease whose session ended at end is
// KeySessionEnded, and one under ours is OurSession.
func eventOf(e Entry[value], ended bool, end uint64, ours string) transport.KeyEvent {
	ev := transport.KeyEvent{Entry: transport.Entry{Role: e.Role, Revision: e.Revision, Written: e.Written}}
	switch e.Kind {
	case Put:
		v := e.Value
		ev.Kind = transport.KeyPut
		ev.Entry.Record = transport.Record{Holder: v.holder, Nonce: v.nonce, Term: v.term, Session: v.session, OfferedTo: v.offeredTo}
		if ended {
			ev.Kind, ev.SessionEnd = transport.KeySessionEnded, end
		} else {
			ev.OurSession = v.session != "" && v.session == ours
		}
	case Deleted:
		ev.Kind = transport.KeyDeleted
	case Purged:
		ev.Kind = transport.KeyPurged
	default:
		ev.Kind, ev.Entry.Revision = transport.KeyAbsent, 0
	}
	return ev
}
