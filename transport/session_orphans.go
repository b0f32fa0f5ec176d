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

// orphanSet is a session's orphans: the leases it keeps that still need a
// release. It is part of the session's state, guarded by the session's mu.
type orphanSet struct {
	leases    []Lease
	releasing bool // a release of some of them runs
}

// due drops the orphans of sessions other than live, whose leases need no
// release, and returns those to release now: all of them, unless a
// release runs already or there are none (nil).
func (o *orphanSet) due(live string) []Lease {
	kept := o.leases[:0]
	for _, l := range o.leases {
		if l.Record.Session == live {
			kept = append(kept, l)
		}
	}
	clear(o.leases[len(kept):])
	o.leases = kept
	if len(o.leases) == 0 || o.releasing {
		return nil
	}
	o.releasing = true
	return append([]Lease(nil), o.leases...)
}

// released ends the release that due started, forgetting the leases done.
func (o *orphanSet) released(done []Lease) {
	o.releasing = false
	kept := o.leases[:0]
	for _, l := range o.leases {
		if !containsLease(done, l) {
			kept = append(kept, l)
		}
	}
	clear(o.leases[len(kept):])
	o.leases = kept
}

// orphan keeps lease for the keepalive to release.
func (s *session) orphan(lease Lease) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.orphans.leases = append(s.orphans.leases, lease)
	}
}

// releaseOrphansLocked starts a release of the orphans of the live session,
// unless one is running; orphans of a session that ended are dropped.
// s.mu is held.
func (s *session) releaseOrphansLocked() {
	if batch := s.orphans.due(s.live.name); batch != nil {
		s.wg.Go(func() { s.releaseOrphans(batch) })
	}
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
	s.orphans.released(done)
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
	if rerr != nil || latest.Kind != KeyPut || !sameLease(latest.Entry, lease) {
		return err
	}
	lease.Revision = latest.Entry.Revision
	return s.Release(ctx, lease)
}
