package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
)

// NewProps validates cfg and returns the props of an election actor. Spawn
// it from system.Root or from any actor's context; it reports to its parent
// (when it has one) and on the EventStream. Stopping the actor makes a
// leader report Demoted and send the release of its lease as it stops,
// without waiting for the answer; the Election facade and role managers
// stop it gracefully instead, waiting (at most OpTimeout) for the release.
func NewProps(cfg Config) (*actor.Props, error) {
	resolved, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	return newProps(resolved, nil), nil
}

// newProps builds the props for a resolved config; onStatus, when set, sees
// every status snapshot the actor publishes.
func newProps(resolved Config, onStatus func(*Status)) *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return newElectionActor(resolved, onStatus) },
		actor.WithSupervisor(childSupervision(resolved.Timings.RenewDeadline)),
		roleMailbox,
	)
}

// childSupervision is how an election supervises its children: restarts
// with backoff, no wait longer than half the renewal deadline (a leader's
// heartbeat restarted later could not renew in time), and a child that
// keeps failing is given up and reported to the election (*ChildGaveUp),
// whose core decides what leading or campaigning without it means.
func childSupervision(renewDeadline time.Duration) actor.SupervisorStrategy {
	supervision := actors.DefaultBackoffSupervision()
	supervision.OnGiveUp = actors.StopAndNotify
	supervision.MaxInterval = renewDeadline / 2
	return actors.RestartWithBackoff(supervision)
}
