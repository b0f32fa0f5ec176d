package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
)

// connectionChild turns the NATS connection's status changes into
// *connChanged messages for the election.
type connectionChild struct {
	nc    *nats.Conn
	watch *transport.ConnWatch
	done  chan struct{}
}

// newConnectionProps returns the connection child's props.
func newConnectionProps(nc *nats.Conn) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &connectionChild{nc: nc} })
}

// Receive implements actor.Actor.
func (c *connectionChild) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		c.watch, c.done = transport.WatchConnection(c.nc), make(chan struct{})
		go forward(ctx.ActorSystem(), ctx.Parent(), c.watch.Events(), c.done, func(ev transport.ConnEvent) any {
			return &connChanged{event: ev}
		})
	case *actor.Stopping, *actor.Restarting:
		if c.watch != nil {
			c.watch.Stop()
			<-c.done
			c.watch = nil
		}
	}
}
