package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
)

// linkFaults are the faults on a candidate's link to the store now in force.
type linkFaults struct {
	slowUntil time.Duration
	slowMax   time.Duration // extra one-way delay, up to
	slowDirs  direction     // the directions slowed
	lossUntil time.Duration
	loss      float64 // probability that a message is lost
}

// direction is which way a message travels between a candidate and the
// store.
type direction uint8

// The directions, as bits.
const (
	toStore direction = 1 << iota
	fromStore
)

// slowDirections draws which way a slow link is slow: both ways in half
// of the faults, one way in the others (a link that delays only what the
// server sends, as in a handover measured on an R3 cluster, hands a successor
// its offer late and its acknowledgement late, but its claim on time).
func (w *world) slowDirections() direction {
	return [...]direction{toStore | fromStore, toStore | fromStore, toStore, fromStore}[w.rng.IntN(4)]
}

// delay draws the delay of one message between c and the store going way.
func (w *world) delay(c *candidate, way direction) time.Duration {
	d := 100*time.Microsecond + time.Duration(w.rng.Int64N(int64(2*time.Millisecond)))
	if w.now < c.link.slowUntil && c.link.slowDirs&way != 0 {
		d += time.Duration(w.rng.Int64N(int64(c.link.slowMax)))
	}
	return d
}

// lost draws whether one message between c and the store is lost.
func (w *world) lost(c *candidate) bool {
	return w.now < c.link.lossUntil && w.rng.Float64() < c.link.loss
}

// reachable reports whether c can talk to the store now.
func (c *candidate) reachable() bool { return c.linkUp && c.w.storeUp }

// request sends a write from c to the store: apply runs on the store when
// the request arrives, and the answer comes back as the input answer
// builds. A request sent while disconnected fails at once (the client
// buffers nothing); one whose reply does not come within OpTimeout, on c's
// clock, is an unknown outcome, whether or not the store applied it.
func (w *world) request(c *candidate, apply func() (Entry[value], error), answer func(fsm.WriteResult, Entry[value]) fsm.Input) {
	gen := c.gen
	w.exchange(c, apply, func(res fsm.WriteResult, e Entry[value]) {
		in := answer(res, e)
		in.Err = errText[res]
		c.deliver(gen, in)
	})
}

// errText is the error an answer carries, by result.
var errText = map[fsm.WriteResult]string{
	fsm.WriteFailed: "disconnected", fsm.WriteUnknown: "timeout", fsm.WriteConflict: "wrong last sequence",
}

// exchange is request's round trip: reply gets the answer, once, when it
// comes (WriteFailed at once when c cannot reach the store, WriteUnknown
// when no reply comes within OpTimeout on c's clock). reply runs whatever
// c's process is doing; what it hands the process must go through deliver
// or run.
func (w *world) exchange(c *candidate, apply func() (Entry[value], error), reply func(fsm.WriteResult, Entry[value])) {
	if !c.reachable() {
		w.at(0, func() { reply(fsm.WriteFailed, Entry[value]{}) })
		return
	}
	answered := false
	timeout := c.clk.span(c.t.OpTimeout)
	w.at(timeout, func() {
		if !answered {
			answered = true
			w.res.Unknown++
			reply(fsm.WriteUnknown, Entry[value]{})
		}
	})
	if w.lost(c) {
		return
	}
	w.at(w.delay(c, toStore), func() {
		if !w.storeUp {
			return
		}
		e, err := apply()
		res := resultOf(err)
		if w.lost(c) {
			return
		}
		w.at(w.delay(c, fromStore), func() {
			if answered || !c.reachable() {
				return
			}
			answered = true
			reply(res, e)
		})
	})
}

// setLink cuts or restores c's own link.
func (w *world) setLink(c *candidate, up bool) {
	c.linkUp = up
	w.connectivity(c)
}

// connectivity tells c's core, after the client notices, that its
// connection went down or came back; on the way back the watch is
// re-established with a re-list.
func (w *world) connectivity(c *candidate) {
	up := c.reachable()
	if up == c.connected || !c.up {
		return
	}
	c.connected = up
	gen := c.gen
	notice := time.Duration(w.rng.Int64N(int64(300 * time.Millisecond)))
	conn := fsm.ConnLost
	if up {
		conn = fsm.ConnBack
	}
	w.at(notice, func() {
		if gen != c.gen || c.connected != up {
			return
		}
		c.deliver(gen, fsm.Input{Kind: fsm.InConnection, Conn: conn})
		if up && c.watching {
			c.relist(0)
		}
	})
}
