package transport

import (
	"errors"
	"slices"
)

// The hub's side of the candidate registry: the entries of each role's
// registry, kept in the order of succession as the live watch delivers
// them, and the watches of each role's registry.

// candidateSet is one role's live candidates. Touched only by run.
type candidateSet struct {
	byKey map[string]Candidate
}

// groupWatch is one WatchCandidates.
type groupWatch struct {
	listener[[]Candidate]
	group  string
	primed bool // touched only by run
}

// applyCandidate merges a registry event into its role's set and, when the
// set changed (not on a mere rewrite of an entry), publishes the new order
// to the role's watches. Called by apply for news only.
func (h *hub) applyCandidate(group string, ev KeyEvent) {
	set := h.groups[group]
	if set == nil {
		set = &candidateSet{byKey: map[string]Candidate{}}
		h.groups[group] = set
	}
	key := ev.Entry.Role
	old, had := set.byKey[key]
	if had && old.Session != "" {
		delete(h.boundEntries[old.Session], key)
	}
	if ev.Kind == KeyPut && ev.candidate != nil && h.sessionEnded(ev.candidate.Session) {
		ev.Kind = KeySessionEnded // kept by a session that ended: not live
	}
	if ev.Kind == KeyPut {
		if ev.candidate == nil || (had && old == *ev.candidate) {
			h.bindEntry(key, group, old)
			return // not an entry we can read, or a rewrite of one we know
		}
		set.byKey[key] = *ev.candidate
		h.bindEntry(key, group, *ev.candidate)
	} else {
		if !had {
			return
		}
		delete(set.byKey, key)
	}
	order := make([]Candidate, 0, len(set.byKey))
	for _, c := range set.byKey {
		order = append(order, c)
	}
	slices.SortFunc(order, func(a, b Candidate) int {
		if a.Before(b) {
			return -1
		}
		return 1
	})
	h.mu.Lock()
	h.orders[group] = order
	watches := h.groupSubs[group]
	h.mu.Unlock()
	for _, w := range watches {
		w.primed = true
		w.send(order)
	}
}

// subscribeGroup registers notify for a role's registry; run calls it
// first with the current order, then with every change.
func (h *hub) subscribeGroup(group string, notify func([]Candidate)) (Watch, error) {
	w := &groupWatch{group: group}
	w.notify = notify
	w.remove = func() { h.unsubscribeGroup(w) }
	select {
	case <-h.done:
		return nil, errors.Join(ErrPermanent, ErrClosed)
	default:
	}
	h.mu.Lock()
	h.groupSubs[group] = append(slices.Clip(h.groupSubs[group]), w)
	h.freshGroups = append(h.freshGroups, w)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
	return w, nil
}

// unsubscribeGroup removes w from its role's registry watches.
func (h *hub) unsubscribeGroup(w *groupWatch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.groupSubs[w.group] = slices.DeleteFunc(slices.Clone(h.groupSubs[w.group]), func(o *groupWatch) bool { return o == w })
	if len(h.groupSubs[w.group]) == 0 {
		delete(h.groupSubs, w.group)
	}
}

// primeGroups gives each new registry watch the current order.
func (h *hub) primeGroups() {
	h.mu.Lock()
	fresh := h.freshGroups
	h.freshGroups = nil
	h.mu.Unlock()
	for _, w := range fresh {
		if !w.primed {
			w.primed = true
			w.send(h.candidates(w.group))
		}
	}
}

// candidates returns a role's current order, safe from any goroutine.
func (h *hub) candidates(group string) []Candidate {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.orders[group]
}
