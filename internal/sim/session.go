package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// A process's session in session mode, as transport's session keeps it:
// one key, opened with the store (and again after it ended), renewed by a
// keepalive every HeartbeatInterval on the candidate's clock and on demand
// when a renewal asks for a proof older than half that. Times are on the
// candidate's clock, which is also the store's: provenAt's correction
// between the two is zero here.
//
// A renewal proves the session only if its answer is handled within
// RenewDeadline of the newest proof before it: the renewal expected the
// message that proof wrote, and an answer that comes later may be of a
// write applied after that message expired, which the server's expiry
// marker then erases. A session whose newest proof is RenewDeadline old is
// abandoned: renewed no more, its leases refused, and another opened.

// session is the store's session state; the zero value has none open.
type session struct {
	key      string    // the live session's key; "" when none is open
	rev      uint64    // the revision of its latest acknowledged write
	proven   time.Time // when its newest acknowledged write was sent
	lastSent time.Time // when its newest write was sent
	pending  *sessionWrite
	opening  []func(fsm.WriteResult) // while an open is in flight, who waits for it
	opened   int                     // sessions this incarnation opened, so keys are never reused
	ticking  bool                    // the keepalive runs
}

// sessionWrite is one renewal of the session key and who waits for it.
type sessionWrite struct {
	sentAt  time.Time
	waiters []func(fsm.WriteResult, time.Time)
}

// renewEvery is the session's renewal interval: leadership's
// sessionOptions use the heartbeat.
func (c *candidate) renewEvery() time.Duration { return c.t.HeartbeatInterval }

// openSession creates a new session key with the lease's TTL; done gets
// the answer, as does everyone who asked meanwhile.
func (c *candidate) openSession(done func(fsm.WriteResult)) {
	s := &c.sess
	if s.opening != nil {
		s.opening = append(s.opening, done)
		return
	}
	s.opening = []func(fsm.WriteResult){done}
	s.opened++
	w, gen := c.w, c.gen
	key := "session." + c.nonce(uint64(s.opened))
	sentAt := c.clk.at(w.now)
	w.exchange(c, func() (Entry[value], error) {
		return w.store.Create(key, value{holder: c.name}, ttl, w.serverNow())
	}, func(res fsm.WriteResult, e Entry[value]) {
		c.run(gen, func() {
			waiters := s.opening
			s.opening = nil
			if res == fsm.WriteOK {
				s.key, s.rev, s.proven, s.lastSent = key, e.Revision, sentAt, sentAt
				if !s.ticking {
					s.ticking = true
					c.keepAlive(gen)
				}
			}
			for _, f := range waiters {
				f(res)
			}
		})
	})
}

// keepAlive renews the live session every renewal interval unless a
// renewal went out within the last half of one, and abandons it once its
// newest proof is too old and no renewal is in flight. A paused process's
// keepalive fires when it resumes.
func (c *candidate) keepAlive(gen uint64) {
	c.w.at(c.clk.span(c.renewEvery()), func() {
		c.run(gen, func() {
			s := &c.sess
			if s.key != "" && s.pending == nil && !c.lapsed() && c.clk.at(c.w.now).Sub(s.lastSent) >= c.renewEvery()/2 {
				c.renewSession()
			}
			c.keepAlive(gen)
		})
	})
}

// renewSession rewrites the session key at its revision, keeping its TTL.
// On the server a refusal is settled as transport's renew settles it: a
// session key that still holds a value holds a write of ours not heard of,
// which is adopted and written over; one that does not has ended.
func (c *candidate) renewSession() *sessionWrite {
	s, w, gen := &c.sess, c.w, c.gen
	sw := &sessionWrite{sentAt: c.clk.at(w.now)}
	s.pending, s.lastSent = sw, sw.sentAt
	key, rev := s.key, s.rev
	w.exchange(c, func() (Entry[value], error) {
		now := w.serverNow()
		e, err := w.store.Update(key, value{holder: c.name}, rev, ttl, now)
		if cur := w.store.Get(key); err != nil && cur.Kind == Put {
			e, err = w.store.Update(key, value{holder: c.name}, cur.Revision, ttl, now)
		}
		return e, err
	}, func(res fsm.WriteResult, e Entry[value]) {
		c.run(gen, func() { c.sessionWritten(sw, key, res, e) })
	})
	return sw
}

// sessionWritten settles a renewal of the session key and answers those
// waiting for it.
func (c *candidate) sessionWritten(sw *sessionWrite, key string, res fsm.WriteResult, e Entry[value]) {
	s := &c.sess
	if s.pending == sw {
		s.pending = nil
	}
	switch {
	case res == fsm.WriteOK && s.key == key && c.lapsed():
		res = fsm.WriteConflict // handled too late to prove anything: abandoned
	case res == fsm.WriteOK && s.key == key:
		s.rev = max(s.rev, e.Revision)
		if sw.sentAt.After(s.proven) {
			s.proven = sw.sentAt
		}
	case res == fsm.WriteConflict && s.key == key:
		c.endSession()
	case res == fsm.WriteOK:
		// The session ended (or was given up) while this renewal was in
		// flight: it proves a session nobody renews any more.
		res = fsm.WriteConflict
	}
	for _, f := range sw.waiters {
		f(res, sw.sentAt)
	}
}

// prove answers with when a write of key was last acknowledged to have
// been sent, if within half a renewal interval; otherwise with the
// renewal in flight, or one it starts. WriteConflict says key is not the
// live session: it ended, and with it every lease it kept.
func (c *candidate) prove(key string, then func(fsm.WriteResult, time.Time)) {
	s := &c.sess
	switch {
	case key == "" || key != s.key || c.lapsed():
		then(fsm.WriteConflict, time.Time{})
	case c.clk.at(c.w.now).Sub(s.proven) < c.renewEvery()/2:
		then(fsm.WriteOK, s.proven)
	default:
		sw := s.pending
		if sw == nil {
			sw = c.renewSession()
		}
		sw.waiters = append(sw.waiters, then)
	}
}

// lapsed reports whether the live session's newest proof is RenewDeadline
// old (transport's ProofWindow, which leadership sets to it), abandoning
// the session if so. Under BugLateAckProof no session lapses.
func (c *candidate) lapsed() bool {
	s := &c.sess
	if s.key == "" || c.w.opts.Bug == BugLateAckProof || c.clk.at(c.w.now).Sub(s.proven) < c.t.RenewDeadline {
		return false
	}
	c.endSession()
	return true
}

// endSession forgets the live session, which ended or was abandoned: its
// leases are refused from now on, its key is never written again, and the
// next session is opened at once, as transport's does.
func (c *candidate) endSession() {
	c.sess.key = ""
	c.openSession(func(fsm.WriteResult) {})
}

// bind answers with the key of a live session, opening one when there is
// none, and its proof: what a new lease is bound to and counts its
// deadline from. It gives up once k has answered.
func (c *candidate) bind(k *call, then func(key string, proof time.Time), fail func(fsm.WriteResult)) {
	if k.done {
		return
	}
	if key := c.sess.key; key != "" {
		c.prove(key, func(res fsm.WriteResult, proof time.Time) {
			switch res {
			case fsm.WriteOK:
				then(key, proof)
			case fsm.WriteConflict:
				c.bind(k, then, fail) // it ended meanwhile: open another
			default:
				fail(res)
			}
		})
		return
	}
	c.openSession(func(res fsm.WriteResult) {
		if res != fsm.WriteOK {
			fail(res)
			return
		}
		c.bind(k, then, fail)
	})
}

// call is one store call of the election in session mode, bounded by
// OpTimeout on the candidate's clock as the actor's runOp bounds it: it is
// answered once, with the unknown outcome if the time runs out first. The
// time runs out on a paused process when it resumes.
type call struct {
	c      *candidate
	gen    uint64
	sentAt time.Time
	done   bool
}

// newCall starts a call whose unknown outcome is unknown. Like every
// answer that holds no proof, it carries the call's start as SentAt
// (provenAt without a proof).
func (c *candidate) newCall(unknown fsm.Input) *call {
	k := &call{c: c, gen: c.gen, sentAt: c.clk.at(c.w.now)}
	unknown.Result, unknown.Err, unknown.SentAt = fsm.WriteUnknown, errText(fsm.WriteUnknown), k.sentAt
	c.w.at(c.clk.span(c.t.OpTimeout), func() {
		c.run(k.gen, func() {
			if !k.done {
				c.w.res.Unknown++
				k.answer(unknown)
			}
		})
	})
	return k
}

// answer hands in to the election, after the effect being carried out.
func (k *call) answer(in fsm.Input) {
	if k.done {
		return
	}
	k.done = true
	if in.Err == "" {
		in.Err = errText(in.Result)
	}
	k.c.w.at(0, func() { k.c.deliver(k.gen, in) })
}

// sessionProof is the live session and its newest proof, as the store
// publishes them (transport.Sessions.Proof).
func (c *candidate) sessionProof() transport.SessionProof {
	if c.sess.key == "" {
		return transport.SessionProof{}
	}
	return transport.SessionProof{Key: c.sess.key, At: c.sess.proven}
}
