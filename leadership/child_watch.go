package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/transport"
)

// watchChild follows the role's key through the store's shared watch hub and
// reports every change to the election as *keyObserved.
type watchChild struct {
	store transport.LeaseStore
	role  string
	watch transport.Watch
	done  chan struct{}
}

// newWatchProps returns the watch child's props.
func newWatchProps(store transport.LeaseStore, role string) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &watchChild{store: store, role: role} })
}

// Receive implements actor.Actor.
func (w *watchChild) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		watch, err := w.store.Watch(w.role)
		if err != nil {
			panic(err) // the supervisor restarts us with backoff, then gives up
		}
		w.watch, w.done = watch, make(chan struct{})
		go forward(ctx.ActorSystem(), ctx.Parent(), watch.Events(), w.done, func(ev transport.KeyEvent) any {
			return &keyObserved{event: ev}
		})
	case *actor.Stopping, *actor.Restarting:
		if w.watch != nil {
			w.watch.Stop()
			<-w.done
			w.watch = nil
		}
	}
}

// forward sends every value from in to pid, converted by wrap, until in is
// closed; then it closes done. It runs outside the actor so the actor's
// Receive never blocks on a channel.
func forward[T any](system *actor.ActorSystem, pid *actor.PID, in <-chan T, done chan<- struct{}, wrap func(T) any) {
	defer close(done)
	for v := range in {
		system.Root.Send(pid, wrap(v))
	}
}
