package transport

import (
	"errors"
	"slices"
	"sync"
)

// keyFanout is the hub's key fan-out: the watches of each key, and those
// not yet handed to run. Watch and Stop call it from any goroutine, run
// from its own: mu guards watches and fresh; held is run's alone.
type keyFanout struct {
	mu      sync.Mutex
	watches map[string][]*keyWatch // copied on write, so run reads a slice without holding mu
	fresh   []*keyWatch            // watches not yet handed to run
	held    []*keyWatch            // watches with a deferred change (hub_defer.go)

	// deferFrom is how many watches a key needs before changes that do
	// not concern a watch's candidate wait (deferringWatches).
	deferFrom int
}

// keyWatch is one Watch of a key. Its fields below listener are run's.
type keyWatch struct {
	listener[KeyEvent]
	key       string
	candidate string    // whom the watch is for (WatchAs); "" for nobody
	primed    bool      // has had its first state
	later     *KeyEvent // the newest change deferred, not yet delivered
}

// newKeyFanout returns a fan-out with no watches.
func newKeyFanout(deferFrom int) *keyFanout {
	return &keyFanout{watches: map[string][]*keyWatch{}, deferFrom: deferFrom}
}

// add registers notify for key; run primes the watch at its next take.
func (k *keyFanout) add(key, candidate string, notify func(KeyEvent)) *keyWatch {
	w := &keyWatch{key: key, candidate: candidate}
	w.notify = notify
	w.remove = func() { k.remove(w) }
	k.mu.Lock()
	defer k.mu.Unlock()
	k.watches[key] = append(slices.Clip(k.watches[key]), w)
	k.fresh = append(k.fresh, w)
	return w
}

// remove takes w off its key.
func (k *keyFanout) remove(w *keyWatch) {
	k.mu.Lock()
	defer k.mu.Unlock()
	watches := k.watches[w.key]
	i := slices.Index(watches, w)
	switch {
	case i < 0:
	case len(watches) == 1:
		delete(k.watches, w.key)
	default:
		k.watches[w.key] = slices.Delete(slices.Clone(watches), i, i+1)
	}
}

// takeFresh returns the watches added since the last call.
func (k *keyFanout) takeFresh() []*keyWatch {
	k.mu.Lock()
	defer k.mu.Unlock()
	fresh := k.fresh
	k.fresh = nil
	return fresh
}

// deliver hands ev, the change of key from prev (meaningful when seen), to
// key's watches: at once to those it concerns and, when the key has
// deferFrom watches or more, later to the others (see DeferredDelivery). A
// change delivered at once supersedes a deferred one, so each watch still
// hears changes in revision order. Called by run.
func (k *keyFanout) deliver(key string, prev KeyEvent, seen bool, ev KeyEvent) {
	k.mu.Lock()
	watches := k.watches[key]
	k.mu.Unlock()
	deferring := len(watches) >= k.deferFrom
	for _, w := range watches {
		if deferring && w.primed && !changeConcerns(w.candidate, prev, seen, ev) {
			if w.later == nil {
				k.held = append(k.held, w)
			}
			w.later = &ev
			continue
		}
		w.primed, w.later = true, nil
		w.send(ev)
	}
}

// holding reports whether some watch has a deferred change. Called by run.
func (k *keyFanout) holding() bool { return len(k.held) > 0 }

// flush delivers every deferred change. Called by run.
func (k *keyFanout) flush() {
	for _, w := range k.held {
		if ev := w.later; ev != nil {
			w.later = nil
			w.send(*ev)
		}
	}
	clear(k.held)
	k.held = k.held[:0]
}

// watched returns how many keys have at least one watch.
func (k *keyFanout) watched() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.watches)
}

// subscribe registers notify for key, on behalf of candidate ("" for
// nobody). run calls it first with the key's current state, then with
// every change.
func (h *hub) subscribe(key, candidate string, notify func(KeyEvent)) (Watch, error) {
	select {
	case <-h.done:
		return nil, errors.Join(ErrPermanent, ErrClosed)
	default:
	}
	w := h.keys.add(key, candidate, notify)
	h.signal()
	return w, nil
}

// primeFresh gives each new watch its key's current state: the state the
// hub knows, or absent when the live watch has listed the bucket without
// seeing the key. Until then the watch waits for the first listing.
func (h *hub) primeFresh() {
	for _, w := range h.keys.takeFresh() {
		switch st, ok := h.known[w.key]; {
		case w.primed:
		case ok:
			w.primed = true
			w.send(st.last())
		case h.listed:
			h.apply(absentEvent(w.key), h.watermark)
		default:
			h.waiting = append(h.waiting, w)
		}
	}
}

// primeWaiting gives the watches waiting for a listing their first state,
// now that a listing complete as of asOf has been merged.
func (h *hub) primeWaiting(asOf uint64) {
	for _, w := range h.waiting {
		if w.primed || !w.live() {
			continue
		}
		if st, ok := h.known[w.key]; ok {
			w.primed = true
			w.send(st.last())
			continue
		}
		h.apply(absentEvent(w.key), asOf)
	}
	h.waiting = nil
}
