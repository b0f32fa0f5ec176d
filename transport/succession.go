package transport

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var _ Succession = (*JetStreamStore)(nil)

// OfferTTL is the TTL of an offer: the server's smallest, so an offer
// nobody claims frees the key within about OfferTTL plus the server's
// expiry sweep (up to 250ms).
const OfferTTL = time.Second

// WriteOver implements Succession.
func (s *JetStreamStore) WriteOver(ctx context.Context, role string, rec Record, revision uint64) (Lease, error) {
	ctx, cancel, ttl, proof, err := s.prepareOver(ctx, role, &rec, revision)
	if err != nil {
		return Lease{}, err
	}
	defer cancel()
	rev, err := s.writeAt(ctx, role, rec, revision, ttl)
	if err != nil {
		return Lease{}, err
	}
	return Lease{Role: role, Term: rev, Revision: rev, Record: rec, Proof: proof}, nil
}

// TakeOver implements Succession.
func (s *JetStreamStore) TakeOver(ctx context.Context, role string, rec Record, revision uint64, session string, end uint64) (Lease, error) {
	if session == "" {
		return Lease{}, fmt.Errorf("acquire %q: %w: a takeover needs the session that kept the lease", role, ErrPermanent)
	}
	ctx, cancel, ttl, proof, err := s.prepareOver(ctx, role, &rec, revision)
	if err != nil {
		return Lease{}, err
	}
	defer cancel()
	rev, err := s.takeOver(ctx, role, rec, revision, session, end, ttl)
	if err != nil {
		return Lease{}, err
	}
	return Lease{Role: role, Term: rev, Revision: rev, Record: rec, Proof: proof}, nil
}

// prepareOver checks an acquisition over revision and binds rec for it:
// a new term (no Term, no OfferedTo) under the store's session, if it
// keeps one. It returns the bounded context (cancel it), the TTL the key
// is written with and the proof the lease's deadline counts from (see
// bindRecord).
func (s *JetStreamStore) prepareOver(ctx context.Context, role string, rec *Record, revision uint64) (context.Context, context.CancelFunc, time.Duration, time.Time, error) {
	if err := checkRole(role); err != nil {
		return nil, nil, 0, time.Time{}, err
	}
	if err := checkTTL(rec.TTL); err != nil {
		return nil, nil, 0, time.Time{}, err
	}
	if revision == 0 {
		return nil, nil, 0, time.Time{}, fmt.Errorf("acquire %q: %w: a write over a revision needs one (Acquire creates)", role, ErrPermanent)
	}
	rec.Term, rec.OfferedTo = 0, ""
	ctx, cancel := s.withTimeout(ctx)
	ttl, proof, err := s.bindRecord(ctx, rec)
	if err != nil {
		cancel()
		return nil, nil, 0, time.Time{}, fmt.Errorf("acquire %q: %w", role, err)
	}
	return ctx, cancel, ttl, proof, nil
}

// Offer implements Succession.
func (s *JetStreamStore) Offer(ctx context.Context, lease Lease, to string) (Lease, error) {
	if err := checkRole(lease.Role); err != nil {
		return Lease{}, err
	}
	if to == "" || lease.Revision == 0 {
		return Lease{}, fmt.Errorf("offer %q: %w: a successor and a revision are required", lease.Role, ErrPermanent)
	}
	rec := lease.Record
	rec.Term, rec.OfferedTo = lease.Term, to
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rev, err := s.writeAt(ctx, lease.Role, rec, lease.Revision, OfferTTL)
	if err != nil {
		return Lease{}, err
	}
	return Lease{Role: lease.Role, Term: lease.Term, Revision: rev, Record: rec}, nil
}

// Confirm implements Succession.
func (s *JetStreamStore) Confirm(ctx context.Context, lease Lease) (Lease, error) {
	if err := checkRole(lease.Role); err != nil {
		return Lease{}, err
	}
	if lease.Revision == 0 {
		return Lease{}, fmt.Errorf("confirm %q: %w: a revision is required", lease.Role, ErrPermanent)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ev, err := s.lastOf(ctx, lease.Role)
	switch {
	case err != nil:
		return Lease{}, err
	case ev.Kind != KeyPut:
		return Lease{}, fmt.Errorf("confirm %q: %w: the key no longer holds revision %d", lease.Role, ErrConflict, lease.Revision)
	case ev.Entry.Revision != lease.Revision:
		return Lease{}, fmt.Errorf("confirm %q: %w: the key is at revision %d, not %d", lease.Role, ErrConflict, ev.Entry.Revision, lease.Revision)
	}
	lease.Stored = ev.Entry.Written
	return lease, nil
}

// writeAt writes rec to role's key if the key is at revision, with a TTL
// (none when ttl is 0: a lease kept by its session): the compare-and-set
// that renewals, claims and offers share.
func (s *JetStreamStore) writeAt(ctx context.Context, role string, rec Record, revision uint64, ttl time.Duration) (uint64, error) {
	data, err := EncodeRecord(rec)
	if err != nil {
		return 0, fmt.Errorf("write %q: %w: %w", role, ErrPermanent, err)
	}
	opts := []jetstream.PublishOpt{jetstream.WithExpectLastSequencePerSubject(revision)}
	if ttl != 0 {
		opts = append(opts, jetstream.WithMsgTTL(ttl))
	}
	var ack *jetstream.PubAck
	err = guarded(ctx, s.nc, keyRefusal(s.subject+role), func(ctx context.Context) (err error) {
		ack, err = s.js.PublishMsg(ctx, &nats.Msg{Subject: s.subject + role, Data: data}, opts...)
		return err
	})
	if err != nil {
		return 0, classify("write", role, opWrite, err)
	}
	return ack.Sequence, nil
}
