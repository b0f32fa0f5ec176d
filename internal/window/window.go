// Package window bounds how many operations of one kind are under way per
// key (a NATS connection, say) at once. The others wait their turn, first
// come first served, and a key's bookkeeping exists only while some
// operation on it is under way or waiting, so windows of connections long
// closed cost nothing.
package window

import (
	"context"
	"sync"
)

// Set is a window per key, each holding at most its limit of operations.
type Set[K comparable] struct {
	limit int

	mu      sync.Mutex
	windows map[K]*window
}

// window is one key's: how many operations are under way, and the ones
// waiting for room, oldest first.
type window struct {
	inside int
	queue  []chan struct{}
}

// New returns windows of limit operations each; limit must be positive.
func New[K comparable](limit int) *Set[K] {
	return &Set[K]{limit: max(limit, 1), windows: map[K]*window{}}
}

// Enter waits for room in key's window. It returns the function that gives
// the room back (call it exactly once), or ctx's error if ctx ended first,
// in which case nothing is held.
func (s *Set[K]) Enter(ctx context.Context, key K) (leave func(), err error) {
	s.mu.Lock()
	w := s.windows[key]
	if w == nil {
		w = &window{}
		s.windows[key] = w
	}
	leave = func() { s.leave(key, w) }
	if w.inside < s.limit {
		w.inside++
		s.mu.Unlock()
		return leave, nil
	}
	turn := make(chan struct{})
	w.queue = append(w.queue, turn)
	s.mu.Unlock()
	select {
	case <-turn:
		return leave, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for i, c := range w.queue {
		if c == turn {
			w.queue = append(w.queue[:i], w.queue[i+1:]...)
			s.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	s.mu.Unlock()
	leave() // the room was handed over as ctx ended: pass it on
	return nil, ctx.Err()
}

// leave gives an operation's room to the oldest waiting one, or frees it.
func (s *Set[K]) leave(key K, w *window) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(w.queue) > 0 {
		next := w.queue[0]
		w.queue[0] = nil
		w.queue = w.queue[1:]
		close(next)
		return
	}
	w.inside--
	if w.inside == 0 {
		delete(s.windows, key)
	}
}

// Len returns how many keys have operations under way or waiting.
func (s *Set[K]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.windows)
}

// Inside returns how many operations hold room in key's window.
func (s *Set[K]) Inside(key K) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.windows[key]; w != nil {
		return w.inside
	}
	return 0
}

// Waiting returns how many operations wait for room in key's window.
func (s *Set[K]) Waiting(key K) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.windows[key]; w != nil {
		return len(w.queue)
	}
	return 0
}
