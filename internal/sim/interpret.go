package sim

import (
	"errors"
	"strconv"

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
		c.acquire(e.Seq, e.Over)
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
		c.read()
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

// acquire creates the key or, over a revision, writes it as the server
// allows (see acquireOver); the answer carries seq and when it was sent.
func (c *candidate) acquire(seq, over uint64) {
	w, nonce, sentAt := c.w, c.nonce(seq), c.clk.at(c.w.now)
	v := value{holder: c.name, nonce: nonce}
	w.request(c, func() (Entry[value], error) {
		return w.acquireOver(v, over, ttl)
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

// read reads the key from the stream leader, as
// transport.JetStreamStore.Read does, and answers with what the core sees
// of it.
func (c *candidate) read() {
	c.w.request(c, func() (Entry[value], error) {
		return c.w.store.Get(role), nil
	}, func(res fsm.WriteResult, e Entry[value]) fsm.Input {
		return fsm.Input{Kind: fsm.InRead, Result: res, Key: c.viewOf(e, false)}
	})
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
