package transport

import (
	"context"
	"time"

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
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		var in fsm.SessionInput
		var err error
		switch next.Kind {
		case fsm.SessDoReleaseOrphan:
			lease.Revision = next.Orphan.Lease.Revision
			err = s.store.Release(ctx, lease)
			in = fsm.SessionInput{Kind: fsm.SessInOrphanReleased, Orphan: orphanOf(lease)}
		case fsm.SessDoReadOrphan:
			var ev KeyEvent
			ev, err = s.store.Read(ctx, lease.Role)
			in = fsm.SessionInput{Kind: fsm.SessInOrphanRead, Orphan: orphanOf(lease), Revision: ev.Entry.Revision,
				Alive: ev.Kind == KeyPut && sameLease(ev.Entry, lease)}
		case fsm.SessDoForgetOrphan:
			cancel()
			return true
		default:
			cancel()
			return false
		}
		cancel()
		next = s.decideOrphan(in, err)
	}
	return false
}

// decideOrphan hands the keeper the answer of an orphan's release or read,
// and returns what it decided for that orphan (the zero effect: nothing
// now).
func (s *session) decideOrphan(in fsm.SessionInput, err error) fsm.SessionEffect {
	in.At, in.Result = time.Now(), ResultOf(err)
	s.mu.Lock()
	defer s.mu.Unlock()
	var effects []fsm.SessionEffect
	s.state, effects = fsm.SessionStep(s.timing(), s.state, in)
	for _, e := range effects {
		switch e.Kind {
		case fsm.SessDoReleaseOrphan, fsm.SessDoReadOrphan, fsm.SessDoForgetOrphan:
			return e
		}
	}
	return fsm.SessionEffect{}
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
