package transport

import (
	"errors"
	"slices"
)

// subscribe registers notify for key. run calls it first with the key's
// current state, then with every change.
func (h *hub) subscribe(key string, notify func(KeyEvent)) (Watch, error) {
	w := &keyWatch{key: key}
	w.notify = notify
	w.remove = func() { h.unsubscribe(w) }
	select {
	case <-h.done:
		return nil, errors.Join(ErrPermanent, ErrClosed)
	default:
	}
	h.mu.Lock()
	h.subs[key] = append(slices.Clip(h.subs[key]), w)
	h.fresh = append(h.fresh, w)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default: // run has a wake-up pending and will take every fresh watch
	}
	return w, nil
}

// unsubscribe removes w from its key.
func (h *hub) unsubscribe(w *keyWatch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	watches := h.subs[w.key]
	i := slices.Index(watches, w)
	switch {
	case i < 0:
	case len(watches) == 1:
		delete(h.subs, w.key)
	default:
		h.subs[w.key] = slices.Delete(slices.Clone(watches), i, i+1)
	}
}

// primeFresh gives each new watch its key's current state: the state the
// hub knows, or absent when the live watch has listed the bucket without
// seeing the key. Until then the watch waits for the first listing.
func (h *hub) primeFresh() {
	h.mu.Lock()
	fresh := h.fresh
	h.fresh = nil
	h.mu.Unlock()
	for _, w := range fresh {
		switch st, ok := h.known[w.key]; {
		case w.primed:
		case ok:
			w.primed = true
			w.send(st.event)
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
			w.send(st.event)
			continue
		}
		h.apply(absentEvent(w.key), asOf)
	}
	h.waiting = nil
}

// watched returns how many keys have at least one watch.
func (h *hub) watched() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
