package sim

import (
	"context"
	"errors"
	"strconv"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

// The simulated interpreter: it carries out the decision core's effects
// as leadership/election_effects.go does. Every effect that touches the
// store goes through the same code as the actor's (internal/interpret: the
// call the effect asks for, and the input its answer becomes), made on the
// model server by modelStore; what is simulated here is the rest: the
// network between the candidate and the store, its timers and its
// children.

// carryOut does what one effect asks.
func (c *candidate) carryOut(e fsm.Effect) {
	if call, ok := interpret.NewCall(e, c.self(), c.clk.at(c.w.now), c.nonce(e.Seq), c.recordOf); ok {
		c.callStore(call)
		return
	}
	switch e.Kind {
	case fsm.DoOpenStore:
		if c.w.opts.Sessions {
			c.openBySession()
		} else {
			c.open()
		}
	case fsm.DoStartChildren:
		c.startChildren(e.Child)
	case fsm.DoArmTimer:
		c.arm(e.Timer, e.Term, e.After)
	case fsm.DoParkHeartbeat:
		c.park(e.Term, e.After)
	case fsm.DoCancelTimer:
		c.timers[e.Timer]++
	case fsm.DoPromoted:
		c.w.promoted(c, e.Lease)
	case fsm.DoDemoted:
		c.w.check.demoted(c, e)
		c.stopWork(e.Lease.Term)
	case fsm.DoFinish:
		// A term whose release did not finish (e.Lease) is left to the
		// store, which releases it while its session lives; here the store
		// and its session end with the election, so the key is freed by the
		// session's TTL, or by the lease's own.
		if c.registered {
			c.w.unregister(c.name, c.gen)
		}
		c.up, c.finished, c.watching, c.registered = false, true, false, false
	}
}

// callStore makes one store call of the election. In session mode an
// acquisition binds to the store's session first, and a session lease is
// renewed by its session's proof: the session's own work, simulated in
// session.go.
func (c *candidate) callStore(call interpret.Call) {
	e := call.Effect
	switch {
	case e.Kind == fsm.DoRelease && e.Left && c.w.opts.Bug == BugUnhealthyHolds:
		return
	case c.w.opts.Sessions && e.Kind == fsm.DoAcquire:
		c.acquireBySession(call)
	case e.Kind == fsm.DoRenew && call.Lease.Record.Session != "":
		c.renewBySession(call)
	default:
		gen := c.gen
		c.send(call, modelStore{w: c.w, session: c.ourSession()}, func(a interpret.Answer) { c.answer(gen, call, a) })
	}
}

// send makes call on the model server at the instant it arrives, and hands
// the answer to reply when it comes back (see roundTrip). The answer's
// Start is the call's SentAt: the model keeps one clock per candidate.
func (c *candidate) send(call interpret.Call, store modelStore, reply func(interpret.Answer)) {
	roundTrip(c, func() interpret.Answer {
		a := call.Do(context.Background(), store)
		a.Start = call.SentAt
		return a
	}, func(res fsm.WriteResult) interpret.Answer {
		return interpret.Answer{Start: call.SentAt, Err: errOf(res)}
	}, reply)
}

// answer hands the answer to call to incarnation gen of the election, as
// the actor does: a won term's record is kept for its renewals and its
// release.
func (c *candidate) answer(gen uint64, call interpret.Call, a interpret.Answer) {
	if gen == c.gen && call.Effect.Kind == fsm.DoAcquire && a.Err == nil {
		c.records[a.Lease.Term] = a.Lease.Record
	}
	c.deliver(gen, call.Input(a))
}

// self is the candidate as its records name it.
func (c *candidate) self() interpret.Self {
	return interpret.Self{Role: role, InstanceID: c.name, TTL: ttl}
}

// recordOf is the record of one of c's terms.
func (c *candidate) recordOf(term uint64) transport.Record { return c.records[term] }

// ourSession is the store's live session, by which the store tells a key
// holding a term under it (KeyEvent.OurSession); none under BugNoOurs.
func (c *candidate) ourSession() string {
	if c.w.opts.Bug == BugNoOurs {
		return ""
	}
	return c.sess.state.Key
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

// startChildren starts the watch (which reports the key's state at once),
// the registry child (which registers and hears the order of succession:
// registry.go) and the connection child (which reports a connection that
// is down). The health child's reports come from the health faults.
func (c *candidate) startChildren(which fsm.Child) {
	if which&fsm.ChildRegistry != 0 && !c.registered {
		c.w.registerCandidate(c)
	}
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
