package transport

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Release implements LeaseStore.
func (s *JetStreamStore) Release(ctx context.Context, lease Lease) error {
	if err := checkRole(lease.Role); err != nil {
		return err
	}
	if lease.Revision == 0 {
		return fmt.Errorf("release %q: %w: revision must not be zero (an unconditional delete could remove a successor's lease)", lease.Role, ErrPermanent)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	err := classify("release", lease.Role, opWrite, s.kv.Delete(ctx, lease.Role, jetstream.LastRevision(lease.Revision)))
	if !errors.Is(err, ErrConflict) {
		return err
	}
	// A renewal the caller has not heard of (one in flight when it decided
	// to release) moves the key on while the lease is still its own: find
	// the latest revision and delete at it, or the key stays held for a TTL.
	e, gerr := s.kv.Get(ctx, lease.Role)
	switch {
	case errors.Is(classify("release: re-read", lease.Role, opRead, gerr), ErrNotFound):
		return err // gone already; nothing of the lease is left
	case gerr != nil:
		return classify("release: re-read", lease.Role, opRead, gerr)
	}
	if latest := entryFrom(lease.Role, e); !sameLease(latest, lease) {
		return err
	}
	return classify("release", lease.Role, opWrite, s.kv.Delete(ctx, lease.Role, jetstream.LastRevision(e.Revision())))
}

// sameLease reports whether e holds lease, at any revision: the holder,
// nonce and term it was acquired with are all still there.
func sameLease(e Entry, lease Lease) bool {
	return e.Malformed == nil &&
		e.Record.Holder == lease.Record.Holder &&
		e.Record.Nonce == lease.Record.Nonce &&
		e.Term() == lease.Term
}
