package sim

import (
	"slices"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/leadership"
)

// The candidate registry, as transport's keeps it: an election registers
// with its priority when its registry child starts, leaves at once when it
// stops gracefully, and lapses a TTL after its process crashes (the
// entry's own TTL, or its session's). Every change reaches the core of
// every running registry child as InCandidates, after the watch's delay and
// in order, in the order of succession: the highest priority first, then
// the longest registered. The order drives the stand-by of the candidates
// that are not first, hand-offs to the next in order, and, when the run
// prefers leaders, a leader's yield to a live candidate that outranks it.

// registryEntry is one registered election.
type registryEntry struct {
	name     string
	priority int
	since    time.Duration
	gen      uint64 // the incarnation that registered it
}

// registry is the role's registry and when each candidate last heard of it.
type registry struct {
	entries []registryEntry
	heardAt map[string]time.Duration // per candidate, to keep its deliveries in order
}

// succession returns the timing's succession settings for a candidate of
// priority in a run that prefers leaders or not, whose parent reports its
// work stopped or not: the stand-by is leadership's default for the
// simulated TTL.
func succession(t fsm.Timing, priority int, preferred, awaitWork bool) fsm.Timing {
	t.Priority, t.PreferredLeader, t.AwaitWorkStopped = priority, preferred, awaitWork
	t.StandBy = max(leadership.DefaultSuccessionStandBy, ttl/10)
	return t
}

// registerCandidate registers c's incarnation and tells every registry
// child, c's included, of the new order.
func (w *world) registerCandidate(c *candidate) {
	c.registered = true
	w.reg.entries = slices.DeleteFunc(w.reg.entries, func(e registryEntry) bool { return e.name == c.name })
	w.reg.entries = append(w.reg.entries, registryEntry{name: c.name, priority: c.t.Priority, since: w.now, gen: c.gen})
	w.publishOrder()
}

// unregister takes incarnation gen of c out of the registry, if it is
// still the one registered.
func (w *world) unregister(name string, gen uint64) {
	n := len(w.reg.entries)
	w.reg.entries = slices.DeleteFunc(w.reg.entries, func(e registryEntry) bool { return e.name == name && e.gen == gen })
	if len(w.reg.entries) != n {
		w.publishOrder()
	}
}

// lapse takes a crashed incarnation's entry out a TTL from now.
func (w *world) lapse(name string, gen uint64) {
	w.at(ttl, func() { w.unregister(name, gen) })
}

// publishOrder hands the order of succession to every running registry
// child's core, each after the watch's delay and after what it heard
// before.
func (w *world) publishOrder() {
	order := slices.Clone(w.reg.entries)
	slices.SortStableFunc(order, func(a, b registryEntry) int {
		if a.priority != b.priority {
			return b.priority - a.priority
		}
		return int(a.since - b.since)
	})
	ranked := make([]fsm.Ranked, len(order))
	for i, e := range order {
		ranked[i] = fsm.Ranked{ID: e.name, Priority: e.priority}
	}
	if w.reg.heardAt == nil {
		w.reg.heardAt = map[string]time.Duration{}
	}
	for _, c := range w.cands {
		if !c.up || !c.registered || !c.reachable() {
			continue
		}
		at := max(w.now+w.delay(c, fromStore), w.reg.heardAt[c.name])
		w.reg.heardAt[c.name] = at
		gen := c.gen
		w.q.push(at, func() { c.deliver(gen, fsm.Input{Kind: fsm.InCandidates, Candidates: ranked}) })
	}
}

// stopWork is the parent of an election whose core awaits it
// (Timing.AwaitWorkStopped), as the facade and role managers are: told of a
// Demoted, it stops the term's work, which takes up to 300ms (OnDemote
// running), and reports it; one time in twenty the work hangs and never
// reports, and the core leaves the lease to expire.
func (c *candidate) stopWork(term uint64) {
	w := c.w
	if !c.t.AwaitWorkStopped || w.rng.IntN(20) == 0 {
		return
	}
	gen := c.gen
	stop := time.Duration(w.rng.Int64N(int64(300 * time.Millisecond)))
	w.at(c.clk.span(stop), func() { c.deliver(gen, fsm.Input{Kind: fsm.InWorkStopped, Term: term}) })
}
