package transport

import (
	"errors"
	"slices"
	"sync"
)

// The hub's side of the candidate registry: the entries of each role's
// registry, kept in the order of succession as the live watch delivers
// them (candidateSet, run's), and the watches of each role's order
// (orderFanout, behind a lock of its own).

// candidateSet is one role's live candidates, by registry key. Touched
// only by run. A slice, not a map: most roles have a few candidates, and a
// Go map holds room for eight entries from its first (about 600 bytes a
// role with one candidate, against 64).
type candidateSet struct {
	entries []registryEntry
}

// registryEntry is one candidate and its registry key.
type registryEntry struct {
	key       string
	candidate Candidate
}

// find returns the index of key's entry, or -1.
func (c *candidateSet) find(key string) int {
	return slices.IndexFunc(c.entries, func(e registryEntry) bool { return e.key == key })
}

// put sets key's entry to cand.
func (c *candidateSet) put(key string, cand Candidate) {
	if i := c.find(key); i >= 0 {
		c.entries[i].candidate = cand
		return
	}
	c.entries = append(c.entries, registryEntry{key: key, candidate: cand})
}

// remove drops key's entry, if any.
func (c *candidateSet) remove(key string) {
	if i := c.find(key); i >= 0 {
		c.entries = slices.Delete(c.entries, i, i+1)
	}
}

// order returns the set's candidates in the order of succession.
func (c *candidateSet) order() []Candidate {
	order := make([]Candidate, 0, len(c.entries))
	for _, e := range c.entries {
		order = append(order, e.candidate)
	}
	slices.SortFunc(order, func(a, b Candidate) int {
		if a.Before(b) {
			return -1
		}
		return 1
	})
	return order
}

// orderFanout is the hub's fan-out of the orders of succession: each
// role's latest order, its watches, and those not yet primed.
// WatchCandidates, Stop and Candidates call it from any goroutine, run from
// its own: mu guards every field.
type orderFanout struct {
	mu      sync.Mutex
	watches map[string][]*groupWatch // copied on write, so run reads a slice without holding mu
	fresh   []*groupWatch            // watches not yet primed
	orders  map[string][]Candidate
}

// groupWatch is one WatchCandidates.
type groupWatch struct {
	listener[[]Candidate]
	group  string
	primed bool // touched only by run
}

// newOrderFanout returns a fan-out with no orders and no watches.
func newOrderFanout() *orderFanout {
	return &orderFanout{watches: map[string][]*groupWatch{}, orders: map[string][]Candidate{}}
}

// add registers notify for a role's registry; run primes the watch at its
// next primeFresh.
func (o *orderFanout) add(group string, notify func([]Candidate)) *groupWatch {
	w := &groupWatch{group: group}
	w.notify = notify
	w.remove = func() { o.remove(w) }
	o.mu.Lock()
	defer o.mu.Unlock()
	o.watches[group] = append(slices.Clip(o.watches[group]), w)
	o.fresh = append(o.fresh, w)
	return w
}

// remove takes w off its role's registry watches.
func (o *orderFanout) remove(w *groupWatch) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.watches[w.group] = slices.DeleteFunc(slices.Clone(o.watches[w.group]), func(x *groupWatch) bool { return x == w })
	if len(o.watches[w.group]) == 0 {
		delete(o.watches, w.group)
	}
}

// publish makes order the role's current order and hands it to the role's
// watches. Called by run.
func (o *orderFanout) publish(group string, order []Candidate) {
	o.mu.Lock()
	o.orders[group] = order
	watches := o.watches[group]
	o.mu.Unlock()
	for _, w := range watches {
		w.primed = true
		w.send(order)
	}
}

// primeFresh gives each new registry watch the current order. Called by
// run.
func (o *orderFanout) primeFresh() {
	o.mu.Lock()
	fresh := o.fresh
	o.fresh = nil
	o.mu.Unlock()
	for _, w := range fresh {
		if !w.primed {
			w.primed = true
			w.send(o.candidates(w.group))
		}
	}
}

// candidates returns a role's current order.
func (o *orderFanout) candidates(group string) []Candidate {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.orders[group]
}

// subscribeGroup registers notify for a role's registry; run calls it
// first with the current order, then with every change.
func (h *hub) subscribeGroup(group string, notify func([]Candidate)) (Watch, error) {
	select {
	case <-h.done:
		return nil, errors.Join(ErrPermanent, ErrClosed)
	default:
	}
	w := h.orders.add(group, notify)
	h.signal()
	return w, nil
}

// applyCandidate merges a registry event into its role's set and, when the
// set changed (not on a mere rewrite of an entry), publishes the new order
// to the role's watches. Called by apply for news only.
func (h *hub) applyCandidate(group string, ev KeyEvent) {
	set := h.groups[group]
	if set == nil {
		set = &candidateSet{}
		h.groups[group] = set
	}
	key := ev.Entry.Role
	var old Candidate
	i := set.find(key)
	had := i >= 0
	if had {
		old = set.entries[i].candidate
		h.sessions.unbindEntry(old.Session, key)
	}
	if ev.Kind == KeyPut && ev.candidate != nil && h.sessionEnded(ev.candidate.Session) {
		ev.Kind = KeySessionEnded // kept by a session that ended: not live
	}
	if ev.Kind == KeyPut {
		if ev.candidate == nil || (had && old == *ev.candidate) {
			h.sessions.bindEntry(old.Session, key, group)
			return // not an entry we can read, or a rewrite of one we know
		}
		set.put(key, *ev.candidate)
		h.sessions.bindEntry(ev.candidate.Session, key, group)
	} else {
		if !had {
			return
		}
		set.remove(key)
	}
	h.orders.publish(group, set.order())
}
