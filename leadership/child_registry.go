package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// candidateRegistry is all the registry child asks of its store
// (transport.Store has it): an entry in a role's registry, and the
// registry's order of succession.
type candidateRegistry interface {
	Register(role string, c transport.Candidate, ttl time.Duration) (transport.Watch, error)
	WatchCandidates(role string, notify func([]transport.Candidate)) (transport.Watch, error)
}

// registryChild registers the candidate in the role's registry for as long
// as it runs, and reports the registry's order to the election as
// *candidatesChanged. Stopping it deletes the entry.
type registryChild struct {
	entry transport.Watch
	watch transport.Watch
}

// registrySetup is what the registry child needs of its election: the
// store, the role, the candidate to register and its entry's TTL.
type registrySetup struct {
	store     candidateRegistry
	role      string
	candidate transport.Candidate
	ttl       time.Duration
}

// registryProps are the props of every registry child.
var registryProps = actor.PropsFromProducer(func() actor.Actor { return &registryChild{} }, roleMailbox)

// Receive implements actor.Actor.
func (r *registryChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		askSetup(ctx, fsm.ChildRegistry)
	case *registrySetup:
		root, parent := ctx.ActorSystem().Root, ctx.Parent()
		watch, err := msg.store.WatchCandidates(msg.role, func(order []transport.Candidate) {
			root.Send(parent, &candidatesChanged{order: order})
		})
		if err != nil {
			panic(err) // the supervisor restarts us with backoff, then gives up
		}
		r.watch = watch
		entry, err := msg.store.Register(msg.role, msg.candidate, msg.ttl)
		if err != nil {
			panic(err)
		}
		r.entry = entry
	case *actor.Stopping, *actor.Restarting:
		if r.watch != nil {
			r.watch.Stop()
			r.watch = nil
		}
		if r.entry != nil {
			r.entry.Stop() // deletes the entry, bounded by the store's OpTimeout
			r.entry = nil
		}
	}
}
