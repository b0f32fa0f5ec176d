package leadership

import "sync"

// callbackQueue runs callbacks one at a time, in order, on its own
// goroutine, so the election actor never waits for user code and callbacks
// of one election never overlap.
type callbackQueue struct {
	mu      sync.Mutex // guards pending and closed
	pending []func()
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

// newCallbackQueue starts the queue's goroutine.
func newCallbackQueue() *callbackQueue {
	q := &callbackQueue{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

// push queues f; after close it is dropped.
func (q *callbackQueue) push(f func()) {
	q.mu.Lock()
	if !q.closed {
		q.pending = append(q.pending, f)
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close runs what is queued, then ends the goroutine and waits for it.
func (q *callbackQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	<-q.done
}

// run executes callbacks until closed and drained.
func (q *callbackQueue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			if q.closed {
				q.mu.Unlock()
				return
			}
			q.mu.Unlock()
			<-q.wake
			continue
		}
		f := q.pending[0]
		q.pending = q.pending[1:]
		q.mu.Unlock()
		f()
	}
}
