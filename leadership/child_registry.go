package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
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
	store     candidateRegistry
	role      string
	candidate transport.Candidate
	ttl       time.Duration
	entry     transport.Watch
	watch     transport.Watch
}

// newRegistryProps returns the registry child's props.
func newRegistryProps(store candidateRegistry, cfg Config) *actor.Props {
	c := transport.Candidate{InstanceID: cfg.InstanceID, Priority: cfg.Priority}
	return actor.PropsFromProducer(func() actor.Actor {
		return &registryChild{store: store, role: cfg.Role, candidate: c, ttl: cfg.TTL}
	}, roleMailbox)
}

// Receive implements actor.Actor.
func (r *registryChild) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		root, parent := ctx.ActorSystem().Root, ctx.Parent()
		watch, err := r.store.WatchCandidates(r.role, func(order []transport.Candidate) {
			root.Send(parent, &candidatesChanged{order: order})
		})
		if err != nil {
			panic(err) // the supervisor restarts us with backoff, then gives up
		}
		r.watch = watch
		entry, err := r.store.Register(r.role, r.candidate, r.ttl)
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
