package transport

import "sync"

// listener is one registered callback: a key watch or a connection watch.
// Its mutex is held while notify runs, so once Stop has returned notify is
// never called again.
type listener[T any] struct {
	notify func(T)
	remove func() // takes the listener off its hub's list

	mu      sync.Mutex // guards stopped; held during notify
	stopped bool
	once    sync.Once
}

// send calls notify with v unless the listener has stopped.
func (l *listener[T]) send(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.notify(v)
	}
}

// Stop implements Watch.
func (l *listener[T]) Stop() {
	l.once.Do(func() {
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
		l.remove()
	})
}

// live reports whether Stop has not been called.
func (l *listener[T]) live() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.stopped
}
