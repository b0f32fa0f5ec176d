package leadership

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// keyWatcher is all the watch child asks of its store (transport.Store
// has it): a subscription to one role's key.
type keyWatcher interface {
	Watch(role string, notify func(transport.KeyEvent), opts ...transport.WatchOption) (transport.Watch, error)
}

// watchChild follows the role's key through the store's watch hub and
// reports every change to the election as *keyObserved. It also leaves the
// newest of them in the election's newestKey, a one-message mailbox the
// election reads ahead of its own (see electionActor.catchUp).
type watchChild struct {
	watch transport.Watch
}

// watchSetup is what the watch child needs of its election: the store, the
// role and where to leave the newest report.
type watchSetup struct {
	store     keyWatcher
	role      string
	candidate string // the election's instance ID: the watch is its (transport.WatchAs)
	newestKey *atomic.Pointer[keyObserved]
}

// watchProps are the props of every watch child.
var watchProps = actor.PropsFromProducer(func() actor.Actor { return &watchChild{} }, roleMailbox)

// Receive implements actor.Actor.
func (w *watchChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		askSetup(ctx, fsm.ChildWatch)
	case *watchSetup:
		// The store calls back on its delivery goroutine; a send to the
		// parent's mailbox never blocks it.
		root, parent, newest := ctx.ActorSystem().Root, ctx.Parent(), msg.newestKey
		watch, err := msg.store.Watch(msg.role, func(ev transport.KeyEvent) {
			msg := &keyObserved{event: ev}
			newest.Store(msg)
			root.Send(parent, msg)
		}, transport.WatchAs(msg.candidate))
		if err != nil {
			panic(err) // the supervisor restarts us with backoff, then gives up
		}
		w.watch = watch
	case *actor.Stopping, *actor.Restarting:
		if w.watch != nil {
			w.watch.Stop()
			w.watch = nil
		}
	}
}
