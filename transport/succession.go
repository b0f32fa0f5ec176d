package transport

import (
	"context"
	"errors"
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

// AcquireOver implements Succession.
func (s *JetStreamStore) AcquireOver(ctx context.Context, role string, rec Record, revision uint64) (Lease, error) {
	if revision == 0 {
		return s.Acquire(ctx, role, rec)
	}
	if err := checkRole(role); err != nil {
		return Lease{}, err
	}
	if err := checkTTL(rec.TTL); err != nil {
		return Lease{}, err
	}
	rec.Term, rec.OfferedTo = 0, ""
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.acquireOver(ctx, role, rec, revision)
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
	e, err := s.readFromLeader(ctx, lease.Role)
	switch {
	case errors.Is(err, ErrNotFound):
		return Lease{}, fmt.Errorf("confirm %q: %w: the key no longer holds revision %d", lease.Role, ErrConflict, lease.Revision)
	case err != nil:
		return Lease{}, err
	case e.Revision != lease.Revision:
		return Lease{}, fmt.Errorf("confirm %q: %w: the key is at revision %d, not %d", lease.Role, ErrConflict, e.Revision, lease.Revision)
	}
	lease.Stored = e.Written
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
