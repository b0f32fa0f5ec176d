package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
)

// The simulated interpreter in session mode: the effects as
// leadership/election_effects.go carries them out on a store with a
// session (transport's bindRecord and renewBySession),
// each answer's SentAt the session's proof (provenAt).

// carryOutBySession does what an effect asks when sessions change how,
// and reports whether it did.
func (c *candidate) carryOutBySession(e fsm.Effect) bool {
	switch e.Kind {
	case fsm.DoOpenStore:
		c.openBySession()
	case fsm.DoAcquire:
		c.acquireBySession(e)
	case fsm.DoRenew:
		c.renewBySession(e.Lease)
	default:
		return false
	}
	return true
}

// openBySession opens the store: its session is opened with it.
func (c *candidate) openBySession() {
	gen := c.gen
	c.openSession(func(res fsm.WriteResult) {
		in := fsm.Input{Kind: fsm.InStoreOpened}
		if res != fsm.WriteOK {
			in.Err = "open session: " + errText[res]
		}
		c.w.at(0, func() { c.deliver(gen, in) })
	})
}

// acquireBySession binds to the live session, then makes the write the
// core chose (see acquireBy); the lease's deadline counts from the
// session's proof.
func (c *candidate) acquireBySession(a fsm.Effect) {
	w, seq, nonce := c.w, a.Seq, c.nonce(a.Seq)
	k := c.newCall(fsm.Input{Kind: fsm.InAcquired, Seq: seq})
	c.bind(k, func(key string, proof time.Time) {
		v := value{holder: c.name, nonce: nonce, session: key}
		w.exchange(c, func() (Entry[value], error) {
			return w.acquireBy(a, v, 0)
		}, func(res fsm.WriteResult, e Entry[value]) {
			in := fsm.Input{Kind: fsm.InAcquired, Seq: seq, SentAt: k.sentAt, Result: res}
			if res == fsm.WriteOK && k.gen == c.gen {
				in.SentAt = proof
				in.Lease = fsm.Lease{Term: e.Revision, Revision: e.Revision, Nonce: nonce}
				c.terms[e.Revision] = key
			}
			k.answer(in)
		})
	}, func(res fsm.WriteResult) {
		k.answer(fsm.Input{Kind: fsm.InAcquired, Seq: seq, SentAt: k.sentAt, Result: res})
	})
}

// renewBySession writes nothing: it asks the session the lease was
// acquired under for proof, and answers with the lease unchanged.
func (c *candidate) renewBySession(l fsm.Lease) {
	k := c.newCall(fsm.Input{Kind: fsm.InRenewed, Lease: fsm.Lease{Term: l.Term}})
	if c.w.opts.Bug == BugUnprovenRenewal {
		c.renewByReading(k, l)
		return
	}
	c.prove(c.terms[l.Term], func(res fsm.WriteResult, proof time.Time) {
		in := fsm.Input{Kind: fsm.InRenewed, Result: res, SentAt: k.sentAt, Lease: fsm.Lease{Term: l.Term, Revision: l.Revision}}
		if res == fsm.WriteOK {
			in.SentAt = proof
		}
		k.answer(in)
	})
}

// renewByReading is BugUnprovenRenewal: the renewal succeeds while the key
// holds the lease, whatever became of its session.
func (c *candidate) renewByReading(k *call, l fsm.Lease) {
	w := c.w
	w.exchange(c, func() (Entry[value], error) {
		e := w.store.Get(role)
		if e.Kind != Put || e.Value.nonce != l.Nonce || termOf(e) != l.Term {
			return e, ErrRevision
		}
		return e, nil
	}, func(res fsm.WriteResult, _ Entry[value]) {
		k.answer(fsm.Input{Kind: fsm.InRenewed, Result: res, SentAt: k.sentAt, Lease: fsm.Lease{Term: l.Term, Revision: l.Revision}})
	})
}
