package leadership

import "sync"

// storeHandoff passes the store that an election's open returned, on
// actors.Run's goroutine, to the election, or gives it back when the
// election stopped first. The reply alone cannot: actors.Run checks that
// its actor lives before it sends, but the actor can stop between that
// check and the reply's arrival, and a reply that lands in the dead
// letters would keep the store's watch hub running for good. The lock
// guards only this handing over, never the election's state.
type storeHandoff struct {
	mu        sync.Mutex
	store     *storeRef
	abandoned bool
}

// put leaves s for the election to take, or gives it back if the election
// stopped.
func (h *storeHandoff) put(s *storeRef) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.abandoned {
		s.Close()
		return
	}
	h.store = s
}

// take returns the store left, if any, and forgets it.
func (h *storeHandoff) take() *storeRef {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.store
	h.store = nil
	return s
}

// abandon gives back a store left and not taken, and any put after.
func (h *storeHandoff) abandon() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.abandoned = true
	if h.store != nil {
		h.store.Close()
		h.store = nil
	}
}
