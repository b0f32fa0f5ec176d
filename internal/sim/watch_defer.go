package sim

import "github.com/batonhq/baton/transport"

// Deferred changes, as transport's hub makes them (transport.WatchAs): a
// change between two leases held by others, neither offered to the
// watching candidate, reaches it transport.DeferredDelivery later,
// coalesced with the next such changes to the newest; a change that
// concerns it is delivered as usual and supersedes the one held back.

// deferredChange is a change a candidate's watch holds back.
type deferredChange struct {
	gen uint64 // the process incarnation it was held for
	e   Entry[value]
}

// concerns reports whether the key's change from prev to next reaches
// candidate name at once.
func concerns(name string, prev, next Entry[value]) bool {
	return !heldByOthers(name, prev) || !heldByOthers(name, next)
}

// heldByOthers: e is a lease neither held by nor offered to name.
func heldByOthers(name string, e Entry[value]) bool {
	return e.Kind == Put && e.Value.holder != name && e.Value.offeredTo != name
}

// deferChange holds e back for the watch of incarnation gen: with the
// change already held, if any, or as a new one delivered after the
// deferral unless a change delivered at once supersedes it.
func (c *candidate) deferChange(gen uint64, e Entry[value]) {
	if d := c.later; d != nil && d.gen == gen {
		d.e = e
		return
	}
	d := &deferredChange{gen: gen, e: e}
	c.later = d
	w := c.w
	at := max(w.now+transport.DeferredDelivery+w.delay(c, fromStore), c.watchAt)
	w.q.push(at, func() {
		if c.later != d {
			return
		}
		c.later = nil
		c.observe(gen, d.e.Revision, d.e, false, 0)
	})
}
