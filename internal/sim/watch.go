package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
)

// The watch: each change of the key reaches every watching candidate after
// a delay, in revision order, unless its connection is down; a re-list
// (when the watch starts, after a reconnect, and every PollInterval) reads
// the key, possibly from a replica that lags. As in transport's hub, an
// event at or below the revision already delivered is dropped.

// maxReadLag bounds how far behind a read may be.
const maxReadLag = 300 * time.Millisecond

// changed records a new message of a key and sends it to the watchers: a
// message of the role's key as it is, the end of a session (its key
// expired or deleted) as the end of the lease it kept.
func (w *world) changed(e Entry[value]) {
	w.tracef("store %s %s", e.Role, describe(e))
	w.mix(e.Revision)
	h := w.history[e.Role]
	var prev *Entry[value]
	if len(h) > 0 {
		prev = &h[len(h)-1].e
	}
	if len(h) == historyLen {
		h = append(h[:0], h[1:]...)
	}
	w.history[e.Role] = append(h, written{e: e, at: w.now})
	if e.Kind == Purged {
		w.res.Expiries++
	}
	w.check.leases(w)
	w.scheduleSweep()
	if e.Role != role {
		if e.Kind != Put {
			w.sessionEnded(e.Role, e.Revision)
		}
		return
	}
	for _, c := range w.cands {
		if !c.up || !c.watching || !c.reachable() {
			continue
		}
		gen := c.gen
		if prev != nil && !concerns(c.name, *prev, e) {
			c.deferChange(gen, e)
			continue
		}
		c.later = nil // superseded, as the hub's deferred change is
		at := max(w.now+w.delay(c, fromStore), c.watchAt)
		c.watchAt = at
		w.q.push(at, func() { c.observe(gen, e.Revision, e, false, 0) })
	}
}

// historyLen is how many messages of each key are kept for stale reads.
const historyLen = 16

// sessionEnded tells the watchers that a session's key holds no value any
// more, its last message at end, after the watch's delay, in order with
// the role's messages.
func (w *world) sessionEnded(key string, end uint64) {
	for _, c := range w.cands {
		if !c.up || !c.watching || !c.reachable() {
			continue
		}
		at := max(w.now+w.delay(c, fromStore), c.watchAt)
		c.watchAt = at
		gen := c.gen
		w.q.push(at, func() { c.sessionEnds(gen, key, end) })
	}
}

// sessionEnds is the watch hearing that a session ended at its message
// end: a lease it kept, if the watch delivered it last, is delivered again
// as free, at its own revision and with its record and the session's end,
// as transport's hub delivers KeySessionEnded. The watch keeps that end:
// when the marker itself expires no watcher hears of it, so a takeover
// expecting it is refused and the core reads the key back.
func (c *candidate) sessionEnds(gen uint64, key string, end uint64) {
	if gen != c.gen || !c.watching {
		return
	}
	c.dead[key] = end
	if c.later != nil && c.later.gen == gen {
		return // the hub knows a newer lease than the one the watch delivered: not this session's
	}
	if e := c.hubEntry; c.listed && e.Kind == Put && e.Value.session == key && !c.hubEnded {
		c.hubEnded = true
		c.deliver(gen, fsm.Input{Kind: fsm.InKey, Key: c.viewOf(e, true, end)})
	}
}

// observe delivers what the watch saw of the role's key, unless it is not
// newer than what it delivered before; the end of the lease's session
// (ended at end, or known to the watch) is newer than the lease.
func (c *candidate) observe(gen, rev uint64, e Entry[value], ended bool, end uint64) {
	if known, dead := c.dead[e.Value.session]; e.Kind == Put && dead && !ended {
		ended, end = true, known
	}
	if gen != c.gen || !c.watching || c.listed && (rev < c.hubRev || rev == c.hubRev && (!ended || c.hubEnded)) {
		return
	}
	c.hubRev, c.listed, c.hubEnded, c.hubEntry = rev, true, ended, e
	c.deliver(gen, fsm.Input{Kind: fsm.InKey, Key: c.viewOf(e, ended, end)})
}

// relist reads the key as it was up to lag ago and delivers it when the
// answer arrives. In session mode the listing holds the lease's session
// key too, as of the same instant: a session that holds no value there
// has ended.
func (c *candidate) relist(lag time.Duration) {
	w := c.w
	if !c.reachable() {
		return
	}
	e, rev := w.read(role, lag)
	ended, end := false, uint64(0)
	if e.Kind == Put && e.Value.session != "" {
		if w.opts.Bug == BugTakeoverUnchecked {
			lag = time.Duration(w.rng.Int64N(int64(maxReadLag)))
		}
		s := w.readSession(e.Value.session, lag)
		ended, end = s.Kind != Put, s.Revision
	}
	gen := c.gen
	w.at(w.delay(c, toStore)+w.delay(c, fromStore), func() {
		if c.reachable() {
			c.observe(gen, rev, e, ended, end)
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
func (w *world) read(key string, lag time.Duration) (Entry[value], uint64) {
	h := w.history[key]
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].at <= w.now-lag {
			return h[i].e, h[i].e.Revision
		}
	}
	cur := w.store.Get(key)
	if cur.Kind == Absent {
		return cur, w.store.Revision()
	}
	return cur, cur.Revision
}

// readSession is read for a session's key, which had no message before its
// first one.
func (w *world) readSession(key string, lag time.Duration) Entry[value] {
	h := w.history[key]
	if len(h) > 0 && len(h) < historyLen && h[0].at > w.now-lag {
		return Entry[value]{Role: key}
	}
	e, _ := w.read(key, lag)
	return e
}

// viewOf is what c's core sees of the role's message, ended (at end) or
// not, through the same view as the actor's (interpret.KeyView).
func (c *candidate) viewOf(e Entry[value], ended bool, end uint64) fsm.KeyView {
	return interpret.KeyView(eventOf(e, ended, end, c.ourSession()), c.name)
}

// scheduleSweep books the server's next expiry sweep that has work.
func (w *world) scheduleSweep() {
	at, ok := w.store.NextSweep(w.serverNow())
	if !ok || !w.storeUp {
		return
	}
	w.sweeps++
	gen := w.sweeps
	w.q.push(max(w.serverWhen(at), w.now), func() {
		if gen == w.sweeps && w.storeUp {
			w.sweep()
			w.scheduleSweep()
		}
	})
}
