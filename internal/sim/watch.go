package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
)

// The watch: each change of the key reaches every watching candidate after
// a delay, in revision order, unless its connection is down; a re-list
// (when the watch starts, after a reconnect, and every PollInterval) reads
// the key, possibly from a replica that lags. As in transport's hub, an
// event at or below the revision already delivered is dropped.

// maxReadLag bounds how far behind a read may be.
const maxReadLag = 300 * time.Millisecond

// changed records a new message of the key and sends it to the watchers.
func (w *world) changed(e Entry[value]) {
	w.mix(e.Revision)
	if len(w.history) == 16 {
		w.history = append(w.history[:0], w.history[1:]...)
	}
	w.history = append(w.history, e)
	if e.Kind == Purged {
		w.res.Expiries++
	}
	w.check.leases(w)
	w.scheduleSweep()
	for _, c := range w.cands {
		if !c.up || !c.watching || !c.reachable() {
			continue
		}
		at := max(w.now+w.delay(c), c.watchAt)
		c.watchAt = at
		gen, view := c.gen, viewOf(e)
		w.q.push(at, func() { c.observe(gen, e.Revision, view) })
	}
}

// observe delivers what the watch saw, unless it is not newer than what it
// delivered before.
func (c *candidate) observe(gen, rev uint64, view fsm.KeyView) {
	if gen != c.gen || !c.watching || c.listed && rev <= c.hubRev {
		return
	}
	c.hubRev, c.listed = rev, true
	c.deliver(gen, fsm.Input{Kind: fsm.InKey, Key: view})
}

// relist reads the key as it was up to lag ago and delivers it when the
// answer arrives.
func (c *candidate) relist(lag time.Duration) {
	w := c.w
	if !c.reachable() {
		return
	}
	e, rev := w.read(lag)
	gen := c.gen
	w.at(w.delay(c)+w.delay(c), func() {
		if c.reachable() {
			c.observe(gen, rev, viewOf(e))
		}
	})
}

// poll re-lists every PollInterval while the watch runs.
func (c *candidate) poll(gen uint64) {
	c.w.at(c.clk.span(c.t.PollInterval), func() {
		if gen != c.gen || !c.watching {
			return
		}
		c.relist(time.Duration(c.w.rng.Int64N(int64(maxReadLag))))
		c.poll(gen)
	})
}

// read returns the key as a replica lagging by lag has it, and the
// revision it vouches for: the message's own, or for a key with no message
// the stream's last.
func (w *world) read(lag time.Duration) (Entry[value], uint64) {
	asOf := w.server.at(w.now - lag)
	for i := len(w.history) - 1; i >= 0; i-- {
		if h := w.history[i]; !h.Written.After(asOf) {
			return h, h.Revision
		}
	}
	cur := w.store.Get(role)
	if cur.Kind == Absent {
		return cur, w.store.Revision()
	}
	return cur, cur.Revision
}

// viewOf is what the core sees of a key's message.
func viewOf(e Entry[value]) fsm.KeyView {
	if e.Kind != Put {
		return fsm.KeyView{Free: true, Revision: e.Revision}
	}
	return fsm.KeyView{Revision: e.Revision, Holder: fsm.Holder{Name: e.Value.holder, Term: termOf(e), Revision: e.Revision, Nonce: e.Value.nonce}}
}

// scheduleSweep books the server's next expiry sweep that has work.
func (w *world) scheduleSweep() {
	at, ok := w.store.NextSweep(w.serverNow())
	if !ok || !w.storeUp {
		return
	}
	w.sweeps++
	gen := w.sweeps
	w.q.push(max(w.server.after(at), w.now), func() {
		if gen == w.sweeps && w.storeUp {
			w.store.Sweep(w.serverNow())
			w.scheduleSweep()
		}
	})
}
