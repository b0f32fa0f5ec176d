package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
)

// eventSubscription delivers one election's messages from the EventStream.
type eventSubscription struct {
	system *actor.ActorSystem
	sub    *eventstream.Subscription
}

// subscribeElection calls handle with every *Promoted and *Demoted of the
// election (role, instance) published on the system's EventStream.
func subscribeElection(system *actor.ActorSystem, role, instance string, handle func(any)) *eventSubscription {
	sub := system.EventStream.SubscribeWithPredicate(handle, func(evt any) bool {
		switch m := evt.(type) {
		case *Promoted:
			return m.Role == role && m.InstanceID == instance
		case *Demoted:
			return m.Role == role && m.InstanceID == instance
		}
		return false
	})
	return &eventSubscription{system: system, sub: sub}
}

// unsubscribe stops delivery.
func (s *eventSubscription) unsubscribe() { s.system.EventStream.Unsubscribe(s.sub) }
