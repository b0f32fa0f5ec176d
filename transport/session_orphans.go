package transport

import (
	"context"
	"errors"
)

// Leases of a session that no election holds any more and whose release
// did not finish (a stop whose delete failed or went unanswered). Nobody
// else may take a key that names a live session, so while the session
// lives its keepalive tries each release again, revision-checked as every
// release is, until it succeeds or the key has moved on; a lease of a
// session that ended needs nothing, since others take it over.

// ReleaseLater hands the store a lease its holder stopped without
// releasing. In session mode the store releases it in the background while
// the lease's session lives; without a session the lease expires by its
// TTL, and nothing is kept.
func (s *JetStreamStore) ReleaseLater(lease Lease) {
	if s.session == nil || lease.Record.Session == "" || lease.Revision == 0 {
		return
	}
	s.session.orphan(lease)
}

// orphan keeps lease for the keepalive to release.
func (s *session) orphan(lease Lease) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.orphans = append(s.orphans, lease)
	}
}

// releaseOrphansLocked starts a release of the orphans of the live session,
// unless one is running; orphans of a session that ended are dropped.
// s.mu is held.
func (s *session) releaseOrphansLocked() {
	kept := s.orphans[:0]
	for _, l := range s.orphans {
		if l.Record.Session == s.key {
			kept = append(kept, l)
		}
	}
	clear(s.orphans[len(kept):])
	s.orphans = kept
	if len(s.orphans) == 0 || s.releasing {
		return
	}
	s.releasing = true
	batch := append([]Lease(nil), s.orphans...)
	s.wg.Go(func() { s.releaseOrphans(batch) })
}

// releaseOrphans releases each lease of batch, forgetting those released or
// moved on; the others are tried again at the next keepalive.
func (s *session) releaseOrphans(batch []Lease) {
	var done []Lease
	for _, l := range batch {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		err := s.store.releaseOrphan(ctx, l)
		cancel()
		if err == nil || errors.Is(err, ErrConflict) || ClassOf(err) == ClassPermanent {
			done = append(done, l)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releasing = false
	kept := s.orphans[:0]
	for _, l := range s.orphans {
		if !containsLease(done, l) {
			kept = append(kept, l)
		}
	}
	clear(s.orphans[len(kept):])
	s.orphans = kept
}

// containsLease reports whether ls holds l (same role, term and revision).
func containsLease(ls []Lease, l Lease) bool {
	for _, x := range ls {
		if x.Role == l.Role && x.Term == l.Term && x.Revision == l.Revision {
			return true
		}
	}
	return false
}

// releaseOrphan deletes an orphan at its revision or, when the key holds the
// same lease at a later revision (an offer whose answer was lost), at the
// revision read: no election is left to read it back.
func (s *JetStreamStore) releaseOrphan(ctx context.Context, lease Lease) error {
	err := s.Release(ctx, lease)
	if !errors.Is(err, ErrConflict) {
		return err
	}
	latest, rerr := s.Read(ctx, lease.Role)
	if rerr != nil || !sameLease(latest, lease) {
		return err
	}
	lease.Revision = latest.Revision
	return s.Release(ctx, lease)
}
