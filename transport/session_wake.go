package transport

import (
	"time"
)

// Waking the leases' holders when their session's proof grows old. A
// leader whose lease the session keeps needs no timer of its own while the
// session is proven: it asks to be woken when the newest proof is older
// than it can wait (AwaitProofOlder), or when the session that keeps its
// lease is no longer the live one. One timer per (session, age) serves
// every such leader, and it fires only when the proof did grow that old:
// a quiet store with N leaders wakes for none of them.

// wakeGroup is the callers waiting for a session's proof to grow older
// than an age (its wakeGroupID), and the one timer that checks it.
type wakeGroup struct {
	timer *time.Timer
	wake  map[uint64]func()
}

// wakers are a session's wake groups, guarded by the session's mu.
type wakers struct {
	next   uint64
	groups map[wakeGroupID]*wakeGroup
}

// wakeGroupID names a wake group.
type wakeGroupID struct {
	key string
	age time.Duration
}

// AwaitProofOlder implements Sessions.
func (s *JetStreamStore) AwaitProofOlder(key string, age time.Duration, wake func()) (cancel func()) {
	if s.session == nil {
		wake()
		return func() {}
	}
	return s.session.awaitProofOlder(key, age, wake)
}

// awaitProofOlder calls wake once, when the proof of session key is older
// than age, or key is not (or no longer) the live session; at once if
// either already holds.
func (s *session) awaitProofOlder(key string, age time.Duration, wake func()) (cancel func()) {
	s.mu.Lock()
	p := s.proof()
	if key == "" || p.Key != key || !time.Now().Before(p.At.Add(age)) {
		s.mu.Unlock()
		wake()
		return func() {}
	}
	if s.wakers.groups == nil {
		s.wakers.groups = map[wakeGroupID]*wakeGroup{}
	}
	gid := wakeGroupID{key: key, age: age}
	g := s.wakers.groups[gid]
	if g == nil {
		g = &wakeGroup{wake: map[uint64]func(){}}
		g.timer = time.AfterFunc(time.Until(p.At.Add(age)), func() { s.checkProofAge(gid) })
		s.wakers.groups[gid] = g
	}
	s.wakers.next++
	id := s.wakers.next
	g.wake[id] = wake
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if g := s.wakers.groups[gid]; g != nil {
			delete(g.wake, id)
			if len(g.wake) == 0 {
				g.timer.Stop()
				delete(s.wakers.groups, gid)
			}
		}
	}
}

// checkProofAge wakes group gid if its session's proof is older than its
// age or the session is no longer live; else it checks again when the
// newest proof will be that old.
func (s *session) checkProofAge(gid wakeGroupID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.wakers.groups[gid]
	if g == nil {
		return
	}
	p := s.proof()
	if p.Key == gid.key {
		if left := time.Until(p.At.Add(gid.age)); left > 0 {
			g.timer.Reset(left)
			return
		}
	}
	s.wakeGroupLocked(gid, g)
}

// wakeOthersLocked wakes every group but those of session key, which is
// now the live session ("" for none). s.mu is held.
func (s *session) wakeOthersLocked(key string) {
	for gid, g := range s.wakers.groups {
		if gid.key != key {
			s.wakeGroupLocked(gid, g)
		}
	}
}

// wakeGroupLocked wakes every caller of group g and forgets it. The wake
// functions only hand a message to a mailbox, so they run under s.mu.
func (s *session) wakeGroupLocked(gid wakeGroupID, g *wakeGroup) {
	g.timer.Stop()
	delete(s.wakers.groups, gid)
	for _, wake := range g.wake {
		wake()
	}
}
