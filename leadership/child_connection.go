package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
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
	watch transport.Watch
}

// connectionSetup is what the connection child needs of its election: the
// store.
type connectionSetup struct {
	store connectionWatcher
}

// connectionProps are the props of every connection child.
var connectionProps = actor.PropsFromProducer(func() actor.Actor { return &connectionChild{} }, roleMailbox)

// Receive implements actor.Actor.
func (c *connectionChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		askSetup(ctx, fsm.ChildConnection)
	case *connectionSetup:
		root, parent := ctx.ActorSystem().Root, ctx.Parent()
		c.watch = msg.store.WatchConnection(func(ev transport.ConnEvent) {
			root.Send(parent, &connChanged{event: ev})
		})
	case *actor.Stopping, *actor.Restarting:
		if c.watch != nil {
			c.watch.Stop()
			c.watch = nil
		}
	}
}
