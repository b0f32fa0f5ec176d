package sim

import (
	"errors"
	"strconv"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// The simulated interpreter: it carries out the decision core's effects the
// way leadership/election_effects.go does, against the store model, and
// turns the answers into inputs the way election_inputs.go does.

// carryOut does what one effect asks.
func (c *candidate) carryOut(e fsm.Effect) {
	if c.w.opts.Sessions && c.carryOutBySession(e) {
		return
	}
	switch e.Kind {
	case fsm.DoOpenStore:
		c.open()
	case fsm.DoStartChildren:
		c.startChildren(e.Child)
	case fsm.DoAcquire:
		c.acquire(e)
	case fsm.DoRenew:
		c.renew(e.Lease)
	case fsm.DoRelease:
		if e.Left && c.w.opts.Bug == BugUnhealthyHolds {
			return
		}
		c.release(e.Lease)
	case fsm.DoOffer:
		c.offer(e.Lease, e.Successor)
	case fsm.DoConfirm:
		c.confirm(e.Seq, e.Lease)
	case fsm.DoRead:
		c.read(e.Seq)
	case fsm.DoArmTimer:
		c.arm(e.Timer, e.Term, e.After)
	case fsm.DoCancelTimer:
		c.timers[e.Timer]++
	case fsm.DoPromoted:
		c.w.promoted(c, e.Lease)
	case fsm.DoDemoted:
		c.w.check.demoted(c, e)
	case fsm.DoFinish:
		// A term whose release did not finish (e.Lease) is left to the
		// store, which releases it while its session lives; here the store
		// and its session end with the election, so the key is freed by the
		// session's TTL, or by the lease's own.
		c.up, c.finished, c.watching = false, true, false
	}
}

// open answers the request for the store: it opens while the store can be
// reached.
func (c *candidate) open() {
	gen := c.gen
	in := fsm.Input{Kind: fsm.InStoreOpened}
	if !c.reachable() {
		in.Err = "no responders"
	}
	c.w.at(c.w.delay(c, toStore)+c.w.delay(c, fromStore), func() { c.deliver(gen, in) })
}

// startChildren starts the watch (which reports the key's state at once)
// and the connection child (which reports a connection that is down). The
// health child's reports come from the health faults.
func (c *candidate) startChildren(which fsm.Child) {
	if which&fsm.ChildWatch != 0 && !c.watching {
		c.watching = true
		c.relist(0)
		c.poll(c.gen)
	}
	if which&fsm.ChildConnection != 0 && !c.connected {
		c.deliver(c.gen, fsm.Input{Kind: fsm.InConnection, Conn: fsm.ConnLost})
	}
}

// nonce is unique per incarnation and attempt, as the actor's random one is.
func (c *candidate) nonce(seq uint64) string {
	return c.name + "." + strconv.FormatUint(c.gen, 10) + "." + strconv.FormatUint(seq, 10)
}

// acquire makes the write the core chose (see acquireBy); the answer
// carries the attempt's Seq and when it was sent.
func (c *candidate) acquire(a fsm.Effect) {
	w, seq, nonce, sentAt := c.w, a.Seq, c.nonce(a.Seq), c.clk.at(c.w.now)
	v := value{holder: c.name, nonce: nonce}
	w.request(c, func() (Entry[value], error) {
		return w.acquireBy(a, v, ttl)
	}, func(res fsm.WriteResult, e Entry[value]) fsm.Input {
		in := fsm.Input{Kind: fsm.InAcquired, Seq: seq, SentAt: sentAt, Result: res}
		if res == fsm.WriteOK {
			in.Lease = fsm.Lease{Term: e.Revision, Revision: e.Revision, Nonce: nonce}
		}
		return in
	})
}

// renew rewrites the lease at its newest revision, keeping its TTL.
func (c *candidate) renew(l fsm.Lease) {
	w, sentAt := c.w, c.clk.at(c.w.now)
	v := value{holder: c.name, nonce: l.Nonce, term: l.Term}
	keep := ttl
	if w.opts.Bug == BugRenewDropsTTL {
		keep = 0
	}
	w.request(c, func() (Entry[value], error) {
		return w.store.Update(role, v, l.Revision, keep, w.serverNow())
	}, func(res fsm.WriteResult, e Entry[value]) fsm.Input {
		return fsm.Input{Kind: fsm.InRenewed, SentAt: sentAt, Result: res, Lease: fsm.Lease{Term: l.Term, Revision: e.Revision}}
	})
}

// offer rewrites the lease at its revision, offered to successor, under
// transport.OfferTTL, as transport.JetStreamStore.Offer does. The answer is
// a release's.
func (c *candidate) offer(l fsm.Lease, successor string) {
	w := c.w
	v := value{holder: c.name, nonce: l.Nonce, term: l.Term, session: c.terms[l.Term], offeredTo: successor}
	w.request(c, func() (Entry[value], error) {
		return w.store.Update(role, v, l.Revision, transport.OfferTTL, w.serverNow())
	}, func(res fsm.WriteResult, _ Entry[value]) fsm.Input {
		return fsm.Input{Kind: fsm.InReleased, Result: res, Lease: fsm.Lease{Term: l.Term}}
	})
}

// confirm reads a won claim back from the stream leader, as
// transport.JetStreamStore.Confirm does: found while the key still holds it
// at its revision, with the server's stamp (Stored), which the core
// compares with the offer's; refused once the offer's expiry marker, or
// anything else, replaced it.
func (c *candidate) confirm(seq uint64, l fsm.Lease) {
	w, sentAt := c.w, c.clk.at(c.w.now)
	w.request(c, func() (Entry[value], error) {
		if e := w.store.Get(role); e.Kind == Put && e.Revision == l.Revision {
			return e, nil
		}
		return Entry[value]{}, ErrRevision
	}, func(res fsm.WriteResult, e Entry[value]) fsm.Input {
		return fsm.Input{Kind: fsm.InConfirmed, Seq: seq, SentAt: sentAt, Result: res, Lease: fsm.Lease{Term: l.Term, Revision: l.Revision}, Stored: e.Written}
	})
}

// release deletes the lease at its revision, as
// transport.JetStreamStore.Release does.
func (c *candidate) release(l fsm.Lease) {
	w := c.w
	w.request(c, func() (Entry[value], error) {
		now := w.serverNow()
		if w.opts.Bug == BugBlindRelease {
			return w.store.Delete(role, now), nil
		}
		return w.store.DeleteAt(role, l.Revision, now)
	}, func(res fsm.WriteResult, _ Entry[value]) fsm.Input {
		return fsm.Input{Kind: fsm.InReleased, Result: res, Lease: fsm.Lease{Term: l.Term}}
	})
}

// read reads the key from the stream leader, and for a session lease its
// session's key too, as transport.JetStreamStore.Read does, and answers
// with what the core sees of them.
func (c *candidate) read(seq uint64) {
	w := c.w
	var ended bool
	var end uint64
	w.request(c, func() (Entry[value], error) {
		e := w.store.Get(role)
		if e.Kind == Put && e.Value.session != "" {
			s := w.store.Get(e.Value.session)
			ended, end = s.Kind != Put, s.Revision
		}
		return e, nil
	}, func(res fsm.WriteResult, e Entry[value]) fsm.Input {
		return fsm.Input{Kind: fsm.InRead, Seq: seq, Result: res, Key: c.viewOf(e, ended, end)}
	})
}

// acquireBy makes the write a DoAcquire asks for on the server, as
// transport's Acquire, WriteOver and TakeOver do, the new key's TTL keep
// (none under a session).
func (w *world) acquireBy(a fsm.Effect, v value, keep time.Duration) (Entry[value], error) {
	st, now := w.store, w.serverNow()
	switch a.By {
	case fsm.ByWriteOver:
		return st.Update(role, v, a.Over, keep, now)
	case fsm.ByTakeOver:
		if w.opts.Bug == BugTakeoverUnchecked {
			w.res.Takeovers++
			return st.Update(role, v, a.Over, keep, now)
		}
		e, err := st.TakeOver(role, v, a.Over, a.Session, a.SessionEnd, now)
		if err == nil {
			w.res.Takeovers++
		}
		return e, err
	default:
		return st.Create(role, v, keep, now)
	}
}

// termOf is the term of the lease a key holds: the record's, once renewed,
// else the key's revision (transport.Entry.Term).
func termOf(e Entry[value]) uint64 {
	if e.Value.term != 0 {
		return e.Value.term
	}
	return e.Revision
}

// resultOf classifies the model's answer as transport's resultOf does.
func resultOf(err error) fsm.WriteResult {
	switch {
	case err == nil:
		return fsm.WriteOK
	case errors.Is(err, ErrRevision):
		return fsm.WriteConflict
	default:
		return fsm.WriteFailed
	}
}
