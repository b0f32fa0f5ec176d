package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/leadership"
)

// register is the fenced resource every leader writes to: it accepts a
// write whose token supersedes the highest it has accepted
// (leadership.Token.Supersedes, the rule users are told to apply) and
// records every decision for the checkers.
type register struct {
	highest leadership.Token
	writes  []fencedWrite
}

// fencedWrite is one write as the register decided it, in arrival order.
type fencedWrite struct {
	from     string
	token    leadership.Token
	accepted bool
}

// write decides one write.
func (r *register) write(from string, tok leadership.Token) {
	ok := tok.Supersedes(r.highest)
	if ok {
		r.highest = tok
	}
	r.writes = append(r.writes, fencedWrite{from: from, token: tok, accepted: ok})
}

// promoted records a new term and starts the leader's writes to the
// register.
func (w *world) promoted(c *candidate, l fsm.Lease) {
	w.res.Promotions++
	if w.last != "" && w.last != c.name {
		w.res.Handovers++
	}
	w.last = c.name
	tok := leadership.Token{Role: role, Holder: c.name, Revision: l.Term, Nonce: l.Nonce}
	w.check.promoted(c, tok)
	w.writeLoop(c, c.gen, tok)
}

// writeLoop has c write to the register every 50-150ms of its clock while
// it leads tok's term and runs; each write reaches the register after the
// link's delay, so a slow link delivers a deposed leader's writes late.
func (w *world) writeLoop(c *candidate, gen uint64, tok leadership.Token) {
	if gen != c.gen || !c.up || !c.s.Leading() || c.s.Lease.Term != tok.Revision {
		return
	}
	if !c.paused() && c.linkUp {
		w.at(w.delay(c, toStore), func() { w.register.write(c.name, tok) })
	}
	every := 50*time.Millisecond + time.Duration(w.rng.Int64N(int64(100*time.Millisecond)))
	w.at(c.clk.span(every), func() { w.writeLoop(c, gen, tok) })
}
