package transport

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// One watcher of refusals per connection. Every guarded call needs a flush
// issued after its request, at growing intervals, while it waits; a
// process renewing thousands of leases has thousands of calls waiting at
// once, and a goroutine and a timer of its own for each one cost more than
// the writes they watch. So the calls waiting on one connection share one
// watcher: a goroutine that runs only while some call waits, flushes at
// the intervals of the call that has waited least, and hands each call the
// refusal that concerns it.

// refusalWatch is the watcher of one connection's guarded calls.
type refusalWatch struct {
	nc      *nats.Conn
	pending map[*guardedCall]struct{}
	// wait is the interval before the next flush: refusalFirstCheck after a
	// call joins, doubling up to refusalMaxCheck.
	wait time.Duration
}

// guardedCall is one call waiting for its answer: the connection's last
// error before it began, which refusals concern it, and how to end it.
type guardedCall struct {
	before error
	match  concerns
	denied chan error // buffered: the refusal, at most one
	cancel context.CancelFunc
}

// refusalFlushTimeout bounds one flush of the watcher: a call that waits
// longer is checked again after its own error (guarded).
const refusalFlushTimeout = time.Second

// refusalWatches are the watchers running, by connection; mu guards them
// and every watcher's fields.
var (
	refusalMu      sync.Mutex
	refusalWatches = map[*nats.Conn]*refusalWatch{}
)

// watchFor adds c to nc's watcher, starting it if none runs, and returns
// the function that removes c again.
func watchFor(nc *nats.Conn, c *guardedCall) (done func()) {
	refusalMu.Lock()
	defer refusalMu.Unlock()
	w := refusalWatches[nc]
	if w == nil {
		w = &refusalWatch{nc: nc, pending: map[*guardedCall]struct{}{}}
		refusalWatches[nc] = w
		go w.run()
	}
	w.pending[c] = struct{}{}
	w.wait = refusalFirstCheck
	return func() {
		refusalMu.Lock()
		defer refusalMu.Unlock()
		delete(w.pending, c)
	}
}

// run flushes the connection while calls wait, and ends when none does.
func (w *refusalWatch) run() {
	timer := time.NewTimer(refusalFirstCheck)
	defer timer.Stop()
	for range timer.C {
		refusalMu.Lock()
		if len(w.pending) == 0 {
			delete(refusalWatches, w.nc)
			refusalMu.Unlock()
			return
		}
		wait := w.wait
		w.wait = min(2*w.wait, refusalMaxCheck)
		refusalMu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), refusalFlushTimeout)
		flushed := w.nc.FlushWithContext(ctx) == nil
		cancel()
		if flushed {
			w.deliver()
		}
		timer.Reset(wait)
	}
}

// deliver hands every waiting call the refusal that concerns it, if one
// arrived since it began.
func (w *refusalWatch) deliver() {
	refusalMu.Lock()
	defer refusalMu.Unlock()
	for c := range w.pending {
		if d := refused(w.nc, c.before, c.match); d != nil {
			c.denied <- d
			c.cancel() // the refusal says more than the cancellation it causes
			delete(w.pending, c)
		}
	}
}
