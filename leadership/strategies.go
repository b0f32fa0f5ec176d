package leadership

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
)

// The supervision strategies of a role's actors. A backoff strategy holds
// no state of its own (actors.RestartWithBackoff), so one value serves
// every supervisor with the same settings: a process running thousands of
// roles keeps a handful of strategies, not thousands. It matters most for
// guardians: Proto.Actor keeps one guardian per strategy value for as long
// as the actor system runs, so a strategy made anew for each Start would
// leave a guardian behind each time.

// giveUpSupervision restarts with the default backoff and stops a child
// that keeps failing, telling its parent.
func giveUpSupervision() actors.BackoffSupervision {
	s := actors.DefaultBackoffSupervision()
	s.OnGiveUp = actors.StopAndNotify
	return s
}

// giveUpStrategy is the strategy of giveUpSupervision: the managers'
// strategy for their top-level role actors, and the guardian of every
// manager and of every Election facade's role actor.
var giveUpStrategy = sharedBackoff(giveUpSupervision())

// childSupervision is how an election supervises its children: restarts
// with backoff, no wait longer than half the renewal deadline (a leader's
// heartbeat restarted later could not renew in time), and a child that
// keeps failing is given up and reported to the election (*ChildGaveUp),
// whose core decides what leading or campaigning without it means. A role
// actor supervises its election and work actors the same way.
func childSupervision(renewDeadline time.Duration) actor.SupervisorStrategy {
	supervision := giveUpSupervision()
	supervision.MaxInterval = renewDeadline / 2
	return sharedBackoff(supervision)
}

// strategies holds the strategies sharedBackoff made, by their settings
// (actors.BackoffSupervision -> actor.SupervisorStrategy). The settings in
// use are few (one per renewal deadline), so it stays small.
var strategies sync.Map

// sharedBackoff returns the backoff strategy of cfg, made once per
// distinct cfg.
func sharedBackoff(cfg actors.BackoffSupervision) actor.SupervisorStrategy {
	if s, ok := strategies.Load(cfg); ok {
		return s.(actor.SupervisorStrategy)
	}
	s, _ := strategies.LoadOrStore(cfg, actors.RestartWithBackoff(cfg))
	return s.(actor.SupervisorStrategy)
}
