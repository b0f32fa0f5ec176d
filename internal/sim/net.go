package sim

import (
	"fmt"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
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

// Failures a store call of the election meets on the way, as transport
// classifies them: the client buffers nothing, so a request sent while
// disconnected fails at once; one whose reply does not come within
// OpTimeout, on the candidate's clock, has an unknown outcome.
var (
	errDisconnected = fmt.Errorf("%w: disconnected", transport.ErrTransient)
	errTimeout      = fmt.Errorf("%w: timeout", transport.ErrUnknownOutcome)
)

// errOf is the error of an answer that came back as res.
func errOf(res fsm.WriteResult) error {
	switch res {
	case fsm.WriteOK:
		return nil
	case fsm.WriteConflict:
		return errConflict
	case fsm.WriteUnknown:
		return errTimeout
	default:
		return errDisconnected
	}
}

// errText is the error text an answer carries, by result.
func errText(res fsm.WriteResult) string {
	if err := errOf(res); err != nil {
		return err.Error()
	}
	return ""
}

// exchange is one round trip of c's to the store on the model's entries:
// apply runs on the store when the request arrives, and reply gets the
// result and the entry (see roundTrip).
func (w *world) exchange(c *candidate, apply func() (Entry[value], error), reply func(fsm.WriteResult, Entry[value])) {
	type answer struct {
		res fsm.WriteResult
		e   Entry[value]
	}
	roundTrip(c, func() answer {
		e, err := apply()
		return answer{resultOf(err), e}
	}, func(res fsm.WriteResult) answer { return answer{res: res} }, func(a answer) { reply(a.res, a.e) })
}

// roundTrip carries one request of c's to the store and the reply back:
// apply runs on the store when the request arrives, if the store is up,
// and returns the answer, which reply gets once, when it comes. reply gets
// failed(WriteFailed) at once when c cannot reach the store, and
// failed(WriteUnknown) when no reply comes within OpTimeout on c's clock,
// whether or not the store applied the request. reply runs whatever c's
// process is doing; what it hands the process must go through deliver or
// run.
func roundTrip[A any](c *candidate, apply func() A, failed func(fsm.WriteResult) A, reply func(A)) {
	w := c.w
	if !c.reachable() {
		w.at(0, func() { reply(failed(fsm.WriteFailed)) })
		return
	}
	answered := false
	timeout := c.clk.span(c.t.OpTimeout)
	w.at(timeout, func() {
		if !answered {
			answered = true
			w.res.Unknown++
			reply(failed(fsm.WriteUnknown))
		}
	})
	if w.lost(c) {
		return
	}
	w.at(w.delay(c, toStore), func() {
		if !w.storeUp {
			return
		}
		a := apply()
		if w.lost(c) {
			return
		}
		w.at(w.delay(c, fromStore), func() {
			if answered || !c.reachable() {
				return
			}
			answered = true
			reply(a)
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
