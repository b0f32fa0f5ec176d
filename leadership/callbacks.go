package leadership

import "github.com/asynkron/protoactor-go/actor"

// callbackQueue runs a role's callbacks one at a time, in order, on an
// actor of its own, so the role and election actors never wait for user
// code and callbacks of one role never overlap. The actor runs only while
// callbacks are queued: it tells the role actor of each callback it ran,
// and the role actor stops it once it ran every one pushed, so a role
// between callbacks (nearly always) costs neither an actor nor a
// goroutine. It is spawned from the root, not as a child, so that
// callbacks queued as the role actor stops (the last OnDemote) still run.
//
// A queue is used only from its role actor's Receive.
type callbackQueue struct {
	system *actor.ActorSystem
	owner  *actor.PID // the role actor
	pid    *actor.PID // the queue's actor; nil while none runs
	pushed uint64     // callbacks pushed to pid
	closed bool
}

// queuedCallback is one callback for the queue's actor, numbered seq.
type queuedCallback struct {
	run   func()
	seq   uint64
	owner *actor.PID
}

// callbackRan tells the role actor that the queue's actor queue ran its
// callback seq.
type callbackRan struct {
	queue *actor.PID
	seq   uint64
}

// newCallbackQueue returns the queue of the role actor owner, with no
// actor yet.
func newCallbackQueue(system *actor.ActorSystem, owner *actor.PID) *callbackQueue {
	return &callbackQueue{system: system, owner: owner}
}

// callbackProps are the props of every queue's actor: it runs the
// callbacks it is sent and reports each to its role actor, unless that has
// ended (its report would be a dead letter).
var callbackProps = actor.PropsFromFunc(func(ctx actor.Context) {
	if c, ok := ctx.Message().(*queuedCallback); ok {
		c.run()
		if _, alive := ctx.ActorSystem().ProcessRegistry.GetLocal(c.owner.Id); alive {
			ctx.Send(c.owner, &callbackRan{queue: ctx.Self(), seq: c.seq})
		}
	}
}, roleMailbox)

// push queues f, spawning the queue's actor if none runs; after close it
// is dropped.
func (q *callbackQueue) push(f func()) {
	if q.closed {
		return
	}
	if q.pid == nil {
		q.pid, q.pushed = q.system.Root.Spawn(callbackProps), 0
	}
	q.pushed++
	q.system.Root.Send(q.pid, &queuedCallback{run: f, seq: q.pushed, owner: q.owner})
}

// ran stops the queue's actor once it has run every callback pushed to
// it: nothing is left in its mailbox then, and the next push spawns
// another.
func (q *callbackQueue) ran(msg *callbackRan) {
	if !q.closed && msg.queue.Equal(q.pid) && msg.seq == q.pushed {
		q.system.Root.Stop(q.pid)
		q.pid = nil
	}
}

// close runs what is queued, then stops the queue's actor and waits for it.
func (q *callbackQueue) close() {
	if q.closed {
		return
	}
	q.closed = true
	if q.pid != nil {
		_ = q.system.Root.PoisonFuture(q.pid).Wait()
	}
}
