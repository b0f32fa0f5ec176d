package transport

import (
	"context"

	"github.com/batonhq/baton/fsm"
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
	if s.state.Phase != fsm.SessionClosed {
		s.orphans.leases = append(s.orphans.leases, lease)
	}
}

// releaseOrphans settles each lease of batch as the keeper's rows decide,
// forgetting those released or moved on; the others are tried again at
// the next keepalive.
func (s *session) releaseOrphans(batch []Lease) {
	var done []Lease
	for _, l := range batch {
		if s.settleOrphan(l) {
			done = append(done, l)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orphans.released(done)
}

// settleOrphan releases lease, reads its key back and releases it again as
// the keeper's rows decide, and reports whether it needs no release any
// more. A release, its read-back and a release at the revision read are
// the most the rows ask for: the bound only guards against a key that
// keeps moving with our lease.
func (s *session) settleOrphan(lease Lease) bool {
	next := fsm.SessionEffect{Kind: fsm.SessDoReleaseOrphan, Orphan: orphanOf(lease)}
	for range 4 {
		switch next.Kind {
		case fsm.SessDoForgetOrphan:
			return true
		case fsm.SessDoReleaseOrphan, fsm.SessDoReadOrphan:
			lease.Revision = next.Orphan.Lease.Revision
			in, err := s.orphanCall(next.Kind, lease)
			s.mu.Lock()
			next = s.stepLocked(answered(in, err), err).orphan
			s.mu.Unlock()
		default:
			return false
		}
	}
	return false
}

// orphanCall makes the release or the read the keeper asked for (kind),
// and returns the input that answers it.
func (s *session) orphanCall(kind fsm.SessionEffectKind, lease Lease) (fsm.SessionInput, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if kind == fsm.SessDoReadOrphan {
		ev, err := s.store.Read(ctx, lease.Role)
		return fsm.SessionInput{Kind: fsm.SessInOrphanRead, Orphan: orphanOf(lease), Revision: ev.Entry.Revision,
			Alive: ev.Kind == KeyPut && sameLease(ev.Entry, lease)}, err
	}
	return fsm.SessionInput{Kind: fsm.SessInOrphanReleased, Orphan: orphanOf(lease)}, s.store.Release(ctx, lease)
}

// orphanOf is lease as the keeper sees it.
func orphanOf(lease Lease) fsm.Orphan {
	return fsm.Orphan{Role: lease.Role, Lease: fsm.Lease{Term: lease.Term, Revision: lease.Revision, Nonce: lease.Record.Nonce}}
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
