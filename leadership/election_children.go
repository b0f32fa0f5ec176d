package leadership

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// children are the election's supervised children that run for as long as
// the election does, by the decision core's name for each: the PID of each
// one running, nil when it is not. (The heartbeat, which runs only while
// leading, keeps its own record: election_heartbeat.go.) newestKey is the
// watch's newest report, which the election may read before its mailbox
// delivers it.
type children struct {
	watch, connection, health, registry *actor.PID
	newestKey                           atomic.Pointer[keyObserved]
}

// start spawns the named children that are not running, the health
// checker only when cfg has one.
func (ch *children) start(ctx actor.Context, which fsm.Child, cfg *Config) {
	if which&fsm.ChildWatch != 0 && ch.watch == nil {
		ch.watch = ctx.Spawn(watchProps)
	}
	if which&fsm.ChildRegistry != 0 && ch.registry == nil {
		ch.registry = ctx.Spawn(registryProps)
	}
	if which&fsm.ChildConnection != 0 && ch.connection == nil {
		ch.connection = ctx.Spawn(connectionProps)
	}
	if which&fsm.ChildHealth != 0 && ch.health == nil && cfg.Health.Checker != nil {
		ch.health = ctx.Spawn(healthProps)
	}
}

// setupOf is what the child named child needs of the election, which it
// asks for whenever it starts (child_setup.go): the children run only
// while the election holds its store.
func (a *electionActor) setupOf(child fsm.Child) any {
	switch child {
	case fsm.ChildWatch:
		return &watchSetup{store: a.store, role: a.cfg.Role, candidate: a.cfg.InstanceID, newestKey: &a.children.newestKey}
	case fsm.ChildRegistry:
		return &registrySetup{store: a.store, role: a.cfg.Role, ttl: a.cfg.TTL,
			candidate: transport.Candidate{InstanceID: a.cfg.InstanceID, Priority: a.cfg.Priority}}
	case fsm.ChildConnection:
		return &connectionSetup{store: a.store}
	default: // fsm.ChildHealth, the one other child that asks
		return &healthSetup{checker: a.cfg.Health.Checker, interval: a.cfg.Health.Interval}
	}
}

// gaveUp forgets the child pid and names it; ok is false when pid is none
// of these children.
func (ch *children) gaveUp(pid *actor.PID) (which fsm.Child, ok bool) {
	for _, c := range []struct {
		pid  **actor.PID
		name fsm.Child
	}{{&ch.watch, fsm.ChildWatch}, {&ch.connection, fsm.ChildConnection}, {&ch.health, fsm.ChildHealth}, {&ch.registry, fsm.ChildRegistry}} {
		if pid.Equal(*c.pid) {
			*c.pid = nil
			return c.name, true
		}
	}
	return 0, false
}

// waiters are the senders waiting for the election: of a Resign, for its
// answer; of a stop, for the election's end.
type waiters struct {
	resign, stop []*actor.PID
}

// waiters returns the election's waiters, made on first use: most
// elections never see a Resign, and hold none for as long as they run.
func (a *electionActor) waiters() *waiters {
	if a.waiting == nil {
		a.waiting = &waiters{}
	}
	return a.waiting
}

// answer sends msg to each of pids and forgets them.
func answer(ctx actor.Context, pids *[]*actor.PID, msg any) {
	for _, pid := range *pids {
		ctx.Send(pid, msg)
	}
	*pids = nil
}
