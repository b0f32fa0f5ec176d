package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
)

// A leader's heartbeat parked on its session (fsm.DoParkHeartbeat), woken
// as transport's session wakes it (AwaitProofOlder): when the session's
// newest proof grows older than the arming's After, checked by a timer of
// the process's store that fires when the proof it saw would be that old,
// or at once when the session that keeps the lease is no longer the live
// one. A paused process's check runs when it resumes, as its store's timer
// would.

// parkedBeat is the heartbeat arming parked on a session.
type parkedBeat struct {
	term  uint64
	key   string // the session that keeps the term's lease
	after time.Duration
	tgen  uint64 // the heartbeat timer's generation of this arming
}

// park parks the heartbeat of term on its lease's session.
func (c *candidate) park(term uint64, after time.Duration) {
	c.timers[fsm.TimerHeartbeat]++
	c.parked = parkedBeat{term: term, key: c.records[term].Session, after: after, tgen: c.timers[fsm.TimerHeartbeat]}
	c.checkParked()
}

// checkParked wakes the parked heartbeat if its session's proof is older
// than its After or that session is not the live one; else it checks
// again when the proof seen would be that old.
func (c *candidate) checkParked() {
	pb := c.parked
	if pb.tgen == 0 || c.timers[fsm.TimerHeartbeat] != pb.tgen {
		return
	}
	p, now := c.sessionProof(), c.clk.at(c.w.now)
	if pb.key != "" && p.Key == pb.key {
		if left := p.At.Add(pb.after).Sub(now); left > 0 {
			gen := c.gen
			c.w.at(c.clk.span(left), func() { c.run(gen, c.checkParked) })
			return
		}
	}
	c.parked = parkedBeat{}
	gen := c.gen
	c.w.at(0, func() {
		c.deliverTick(gen, fsm.Input{Kind: fsm.InTick, Timer: fsm.TimerHeartbeat, Term: pb.term}, pb.tgen)
	})
}
