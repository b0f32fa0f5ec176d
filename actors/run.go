package actors

import (
	"context"

	"github.com/asynkron/protoactor-go/actor"
)

// Discarder is a reply that holds a resource: if its actor is gone when the
// reply is ready, Run calls Discard instead of sending it, so the resource is
// not lost in the dead letters.
type Discarder interface {
	Discard()
}

// Run carries out a blocking call for an actor without blocking its
// Receive: work runs on a goroutine of its own and what it returns is sent to
// the actor as a message, with the trace context work returns (nil for
// none). This is request/reply with the outside world: the actor asks, goes
// on handling messages, and acts on the reply when it comes. work must bound
// itself (give its call a deadline), since nothing else stops it. A reply
// whose actor has stopped is dropped, or discarded if it is a Discarder.
func Run(ctx actor.Context, work func() (context.Context, any)) {
	system, self := ctx.ActorSystem(), ctx.Self()
	go func() {
		traceCtx, reply := work()
		if _, alive := system.ProcessRegistry.GetLocal(self.Id); !alive {
			if d, ok := reply.(Discarder); ok {
				d.Discard()
			}
			return
		}
		if traceCtx == nil {
			system.Root.Send(self, reply)
			return
		}
		SendTraced(system.Root, traceCtx, self, reply)
	}()
}
