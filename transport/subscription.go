package transport

import "sync"

// subscriptionBuffer is how many undelivered events a watch keeps before it
// drops the oldest. A watcher acts on the latest state, so older events
// lose nothing it needs.
const subscriptionBuffer = 16

// subscription is one Watch on the hub. Its channel is written and closed
// only under the hub's mutex, so a send never races with the close.
type subscription struct {
	hub    *hub
	key    string
	events chan KeyEvent
	closed bool
	once   sync.Once
}

// Events implements Watch.
func (s *subscription) Events() <-chan KeyEvent { return s.events }

// Stop implements Watch.
func (s *subscription) Stop() { s.once.Do(func() { s.hub.unsubscribe(s) }) }

// sendLocked queues ev without blocking, dropping the oldest queued event
// when the consumer is behind. The hub's mutex must be held.
func (s *subscription) sendLocked(ev KeyEvent) {
	if !s.closed {
		offerLatest(s.events, ev)
	}
}

// closeLocked closes the channel once. The hub's mutex must be held.
func (s *subscription) closeLocked() {
	if !s.closed {
		s.closed = true
		close(s.events)
	}
}
