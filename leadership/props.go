package leadership

import "github.com/asynkron/protoactor-go/actor"

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
	return newProps(&resolved, nil), nil
}

// newProps builds the props for a resolved config, which every incarnation
// of the actor shares and nothing changes; onStatus, when set, sees every
// status snapshot the actor publishes.
func newProps(resolved *Config, onStatus func(*Status)) *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return newElectionActor(resolved, onStatus) },
		actor.WithSupervisor(childSupervision(resolved.Timings.RenewDeadline)),
		roleMailbox,
	)
}
