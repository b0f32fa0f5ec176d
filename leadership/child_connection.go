package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/transport"
)

// connectionWatcher is all the connection child asks of its store
// (transport.Store has it): the status of its connection.
type connectionWatcher interface {
	WatchConnection(notify func(transport.ConnEvent)) transport.Watch
}

// connectionChild turns the store's connection status changes into
// *connChanged messages for the election.
type connectionChild struct {
	store connectionWatcher
	watch transport.Watch
}

// newConnectionProps returns the connection child's props.
func newConnectionProps(store connectionWatcher) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &connectionChild{store: store} }, roleMailbox)
}

// Receive implements actor.Actor.
func (c *connectionChild) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		root, parent := ctx.ActorSystem().Root, ctx.Parent()
		c.watch = c.store.WatchConnection(func(ev transport.ConnEvent) {
			root.Send(parent, &connChanged{event: ev})
		})
	case *actor.Stopping, *actor.Restarting:
		if c.watch != nil {
			c.watch.Stop()
			c.watch = nil
		}
	}
}
