package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// A process's session in session mode, kept as transport's session keeps
// it: the session keeper's rows (fsm.SessionStep) decide, and this file
// carries their effects out on the model server. The keepalive ticks every
// HeartbeatInterval on the candidate's clock (leadership's sessionOptions
// renew at the heartbeat), and the keeper's ProofWindow is RenewDeadline,
// as leadership sets it. Times are on the candidate's clock, which is also
// the store's: provenAt's correction between the two is zero here.

// session is the host of a process's session keeper; the zero value has
// none open.
type session struct {
	state   fsm.SessionState
	waiting []sessionCaller // callers waiting for the keeper's next answer
	opened  int             // sessions this incarnation opened, so keys are never reused
	ticking bool            // the keepalive runs
}

// sessionCaller gets the keeper's answer: a result, the live session's key
// and its proof.
type sessionCaller func(res fsm.WriteResult, key string, proof time.Time)

// renewEvery is the session's renewal interval: leadership's
// sessionOptions use the heartbeat.
func (c *candidate) renewEvery() time.Duration { return c.t.HeartbeatInterval }

// sessionTiming is what the keeper's rows are given. Under BugLateAckProof
// a renewal proves the session however late its answer comes, and no
// session is ever given up.
func (c *candidate) sessionTiming() fsm.SessionTiming {
	t := fsm.SessionTiming{Renew: c.renewEvery(), ProofWindow: c.t.RenewDeadline}
	if c.w.opts.Bug == BugLateAckProof {
		t.ProofWindow = 1 << 62
	}
	return t
}

// stepSession decides in and carries out the keeper's effects; caller, if
// any, gets the answer now or, if it waits, with the next one.
func (c *candidate) stepSession(in fsm.SessionInput, caller sessionCaller) {
	s := &c.sess
	in.At = c.clk.at(c.w.now)
	var effects []fsm.SessionEffect
	s.state, effects = fsm.SessionStep(c.sessionTiming(), s.state, in)
	if c.parked.key != "" && c.parked.key != s.state.Key {
		// As the session's publish wakes those parked on another.
		defer c.checkParked()
	}
	for _, e := range effects {
		switch e.Kind {
		case fsm.SessDoOpen:
			c.openSession()
		case fsm.SessDoRenew:
			c.renewSession(e.Key, e.Revision)
		case fsm.SessDoRead:
			c.readSession(e.Key)
		case fsm.SessDoWait:
			if caller != nil {
				s.waiting, caller = append(s.waiting, caller), nil
			}
		case fsm.SessDoAnswer:
			waiting := s.waiting
			s.waiting = nil
			if caller != nil {
				waiting = append(waiting, caller)
				caller = nil
			}
			for _, f := range waiting {
				f(e.Result, e.Key, e.Proof)
			}
		}
	}
}

// openSession creates a new session key with the lease's TTL; the first
// that opens starts the keepalive.
func (c *candidate) openSession() {
	s, w, gen := &c.sess, c.w, c.gen
	s.opened++
	key := "session." + c.nonce(uint64(s.opened))
	w.exchange(c, func() (Entry[value], error) {
		return w.store.Create(key, value{holder: c.name}, ttl, w.serverNow())
	}, func(res fsm.WriteResult, e Entry[value]) {
		c.run(gen, func() {
			c.stepSession(fsm.SessionInput{Kind: fsm.SessInOpened, Key: key, Revision: e.Revision, Result: res, Err: errText(res)}, nil)
			if s.state.Key == key && !s.ticking {
				s.ticking = true
				c.keepAlive(gen)
			}
		})
	})
}

// keepAlive hands the keeper its tick every renewal interval. A paused
// process's keepalive fires when it resumes.
func (c *candidate) keepAlive(gen uint64) {
	c.w.at(c.clk.span(c.renewEvery()), func() {
		c.run(gen, func() {
			c.stepSession(fsm.SessionInput{Kind: fsm.SessInTick}, nil)
			c.keepAlive(gen)
		})
	})
}

// renewSession rewrites the session key at rev, keeping its TTL.
func (c *candidate) renewSession(key string, rev uint64) {
	w, gen := c.w, c.gen
	w.exchange(c, func() (Entry[value], error) {
		return w.store.Update(key, value{holder: c.name}, rev, ttl, w.serverNow())
	}, func(res fsm.WriteResult, e Entry[value]) {
		c.run(gen, func() {
			c.stepSession(fsm.SessionInput{Kind: fsm.SessInRenewed, Key: key, Revision: e.Revision, Result: res, Err: errText(res)}, nil)
		})
	})
}

// readSession reads a refused renewal's key back from the model server.
func (c *candidate) readSession(key string) {
	w, gen := c.w, c.gen
	w.exchange(c, func() (Entry[value], error) {
		return w.store.Get(key), nil
	}, func(res fsm.WriteResult, e Entry[value]) {
		c.run(gen, func() {
			c.stepSession(fsm.SessionInput{Kind: fsm.SessInRead, Key: key, Revision: e.Revision, Alive: e.Kind == Put, Result: res, Err: errText(res)}, nil)
		})
	})
}

// prove answers with when a write of key was last acknowledged to have
// been sent, as the keeper decides. WriteConflict says key is not the live
// session: it ended, and with it every lease it kept.
func (c *candidate) prove(key string, then func(fsm.WriteResult, time.Time)) {
	if key == "" {
		then(fsm.WriteConflict, time.Time{})
		return
	}
	c.stepSession(fsm.SessionInput{Kind: fsm.SessInProve, Key: key}, func(res fsm.WriteResult, _ string, proof time.Time) {
		then(res, proof)
	})
}

// bind answers with the key of a live session, opening one when there is
// none, and its proof: what a new lease is bound to and counts its
// deadline from. It gives up once k has answered.
func (c *candidate) bind(k *call, then func(key string, proof time.Time), fail func(fsm.WriteResult)) {
	if k.done {
		return
	}
	c.stepSession(fsm.SessionInput{Kind: fsm.SessInProve}, func(res fsm.WriteResult, key string, proof time.Time) {
		switch res {
		case fsm.WriteOK:
			then(key, proof)
		case fsm.WriteConflict:
			c.bind(k, then, fail) // it ended meanwhile: the next one is opening
		default:
			fail(res)
		}
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
	if c.sess.state.Key == "" {
		return transport.SessionProof{}
	}
	return transport.SessionProof{Key: c.sess.state.Key, At: c.sess.state.Proven}
}
