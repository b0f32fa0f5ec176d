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

// subscribeElection calls handle with every *Promoted, *Demoted and
// *Warning of the
// election (role, instance) published on the system's EventStream.
//
// It filters inside the handler rather than with SubscribeWithPredicate,
// which sets its predicate after the subscription is already visible to
// concurrent publishers (a data race when elections start while others run).
func subscribeElection(system *actor.ActorSystem, role, instance string, handle func(any)) *eventSubscription {
	sub := system.EventStream.Subscribe(func(evt any) {
		switch m := evt.(type) {
		case *Promoted:
			if m.Role == role && m.InstanceID == instance {
				handle(evt)
			}
		case *Demoted:
			if m.Role == role && m.InstanceID == instance {
				handle(evt)
			}
		case *Warning:
			if m.Role == role && m.InstanceID == instance {
				handle(evt)
			}
		}
	})
	return &eventSubscription{system: system, sub: sub}
}

// unsubscribe stops delivery.
func (s *eventSubscription) unsubscribe() { s.system.EventStream.Unsubscribe(s.sub) }
