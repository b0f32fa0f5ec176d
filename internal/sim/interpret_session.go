package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
)

// The session's part of the election's store calls in session mode, as
// transport's store does it inside Acquire (bindRecord) and Renew
// (renewBySession): each call is bounded by OpTimeout on the candidate's
// clock from its start, as the actor's runOp bounds it (see newCall).

// openBySession opens the store: its session is opened with it.
func (c *candidate) openBySession() {
	gen := c.gen
	c.stepSession(fsm.SessionInput{Kind: fsm.SessInProve}, func(res fsm.WriteResult, _ string, _ time.Time) {
		in := fsm.Input{Kind: fsm.InStoreOpened}
		if res != fsm.WriteOK {
			in.Err = "open session: " + errText(res)
		}
		c.w.at(0, func() { c.deliver(gen, in) })
	})
}

// acquireBySession binds to the live session, then makes the acquisition
// on the model server bound to it; the lease's deadline counts from the
// session's proof.
func (c *candidate) acquireBySession(call interpret.Call) {
	k := c.newCall(call.Input(interpret.Answer{Err: errTimeout}))
	c.bind(k, func(key string, proof time.Time) {
		c.send(call, modelStore{w: c.w, session: key, proof: proof}, func(a interpret.Answer) {
			if a.Err == nil && k.gen == c.gen {
				c.records[a.Lease.Term] = a.Lease.Record
			}
			k.answer(call.Input(a))
		})
	}, func(res fsm.WriteResult) {
		k.answer(call.Input(interpret.Answer{Err: errOf(res)}))
	})
}

// renewBySession writes nothing: it asks the session the lease was
// acquired under for proof, and answers with the lease unchanged, the
// proof on it, as transport's Renew does for a session lease.
func (c *candidate) renewBySession(call interpret.Call) {
	k := c.newCall(call.Input(interpret.Answer{Err: errTimeout}))
	if c.w.opts.Bug == BugUnprovenRenewal {
		c.renewByReading(k, call)
		return
	}
	c.prove(call.Lease.Record.Session, func(res fsm.WriteResult, proof time.Time) {
		a := interpret.Answer{Start: call.SentAt, Err: errOf(res)}
		if res == fsm.WriteOK {
			a.Lease = call.Lease
			a.Lease.Proof = proof
		}
		k.answer(call.Input(a))
	})
}

// renewByReading is BugUnprovenRenewal: the renewal succeeds while the key
// holds the lease, whatever became of its session.
func (c *candidate) renewByReading(k *call, call interpret.Call) {
	w, l := c.w, call.Effect.Lease
	w.exchange(c, func() (Entry[value], error) {
		e := w.store.Get(role)
		if e.Kind != Put || e.Value.nonce != l.Nonce || termOf(e) != l.Term {
			return e, ErrRevision
		}
		return e, nil
	}, func(res fsm.WriteResult, _ Entry[value]) {
		a := interpret.Answer{Start: call.SentAt, Err: errOf(res)}
		if res == fsm.WriteOK {
			a.Lease = call.Lease
		}
		k.answer(call.Input(a))
	})
}
