package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
)

// candidateActor is a candidate in actor form: the parent of its elections.
// Each election tells it when it is promoted or demoted and who it sees
// leading; the actor keeps that in the candidate's view for the table.
type candidateActor struct {
	name  string
	props map[string]*actor.Props // by role
	view  *view
	ready chan struct{} // closed once the elections are spawned
}

// Receive implements actor.Actor.
func (a *candidateActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		for _, role := range roles {
			a.view.spawned(role, ctx.Spawn(a.props[role]))
		}
		if a.ready != nil {
			close(a.ready)
			a.ready = nil
		}
	case *leadership.Promoted:
		a.view.set(msg.Role, fmt.Sprintf("LEADER t%d", msg.Token.Revision))
	case *leadership.Demoted:
		a.view.set(msg.Role, "candidate")
	case *leadership.LeaderChanged:
		switch msg.Leader {
		case a.name: // our own promotion says it
		case "":
			a.view.setUnlessLeading(msg.Role, "candidate")
		default:
			a.view.setUnlessLeading(msg.Role, "follower")
		}
	case *leadership.Failed:
		a.view.set(msg.Role, "failed")
	}
}

// view is a candidate's state per role as its actor last heard it, and its
// elections' PIDs. It is safe for concurrent use.
type view struct {
	mu     sync.Mutex // guards the maps
	states map[string]string
	pids   map[string]*actor.PID
}

// newView returns a view of a stopped candidate.
func newView() *view {
	v := &view{states: map[string]string{}, pids: map[string]*actor.PID{}}
	for _, role := range roles {
		v.states[role] = "stopped"
	}
	return v
}

// spawned records a new election for role.
func (v *view) spawned(role string, pid *actor.PID) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pids[role], v.states[role] = pid, "candidate"
}

// stopped records that role's election is being stopped.
func (v *view) stopped(role string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.pids, role)
	v.states[role] = "stopped"
}

// set records role's state, unless the election is stopped.
func (v *view) set(role, state string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.pids[role] != nil {
		v.states[role] = state
	}
}

// setUnlessLeading is set, except over a leader's state, which only its
// Demoted ends.
func (v *view) setUnlessLeading(role, state string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.pids[role] != nil && !strings.HasPrefix(v.states[role], "LEADER") {
		v.states[role] = state
	}
}

// state returns role's state.
func (v *view) state(role string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.states[role]
}

// leading reports whether the candidate leads role.
func (v *view) leading(role string) bool { return strings.HasPrefix(v.state(role), "LEADER") }

// pid returns role's election, nil when stopped.
func (v *view) pid(role string) *actor.PID {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pids[role]
}
