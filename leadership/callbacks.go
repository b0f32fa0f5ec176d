package leadership

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// callbackQueue runs callbacks one at a time, in order, on an actor of its
// own, so the role and election actors never wait for user code, callbacks
// of one role never overlap, and an idle queue costs no goroutine. It is
// spawned from the root, not as a child, so that callbacks queued as its
// owner stops (the last OnDemote) still run.
type callbackQueue struct {
	system *actor.ActorSystem
	pid    *actor.PID
	closed atomic.Bool
}

// newCallbackQueue spawns the queue's actor.
func newCallbackQueue(system *actor.ActorSystem) *callbackQueue {
	return &callbackQueue{system: system, pid: system.Root.Spawn(callbackProps)}
}

// callbackProps are the props of every queue's actor, which only runs the
// functions it is sent.
var callbackProps = actor.PropsFromFunc(func(ctx actor.Context) {
	if f, ok := ctx.Message().(func()); ok {
		f()
	}
}, roleMailbox)

// push queues f; after close it is dropped.
func (q *callbackQueue) push(f func()) {
	if !q.closed.Load() {
		q.system.Root.Send(q.pid, f)
	}
}

// close runs what is queued, then stops the queue's actor and waits for it.
func (q *callbackQueue) close() {
	if q.closed.Swap(true) {
		return
	}
	_ = q.system.Root.PoisonFuture(q.pid).Wait()
}
