package leadership

import (
	"context"

	"github.com/asynkron/protoactor-go/actor"
)

// NewRoleManagerProps validates specs and returns the props of a role
// manager: an actor that runs every role of specs for instanceID (a default
// ID when empty), each as a role actor owning its election.
//
// Top-level roles campaign from the start. A child role's actor is a child
// of its parent role's actor, spawned while this instance leads the parent
// and finished before the parent's term is reported over: its work stops,
// its election releases and demotes, and its OnDemote returns first.
//
// The manager sends its parent (when it has one) every role's *Promoted,
// *Demoted, *LeaderChanged and *Failed, in the order above: a role's Demoted
// only once its work actors and child roles have stopped. It answers
// *GetRolesStatus with *RolesStatus. *StopRoles stops the roles in order and
// then the manager; stopping or poisoning it instead stops every role at
// once (leases are released and OnDemote runs, in no particular order).
//
// Specs are checked as a whole: a missing or duplicate role, an undeclared
// parent, parents that form a loop, or an invalid Config return an error
// that wraps ErrInvalidConfig and names the role.
func NewRoleManagerProps(instanceID string, specs ...RoleSpec) (*actor.Props, error) {
	tree, err := newRoleTree(instanceID, specs)
	if err != nil {
		return nil, err
	}
	return newManagerProps(tree, managerHooks{}), nil
}

// managerHooks let the facade follow a manager actor; nil hooks are skipped.
type managerHooks struct {
	// onStatus sees every snapshot of every role's election, on the
	// election's goroutine, before the election reports what changed.
	onStatus func(*Status)
	// onInactive and onStopped run on the manager's goroutine when a role
	// became inactive and when the manager stopped.
	onInactive func(role string)
	onStopped  func()
}

// newManagerProps returns the props of a manager for a validated tree.
func newManagerProps(tree *roleTree, hooks managerHooks) *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return &roleManager{tree: tree, hooks: hooks} },
		actor.WithSupervisor(giveUpStrategy),
	)
}

// roleManager is the manager actor. Its fields are touched only from
// Receive.
type roleManager struct {
	tree  *roleTree
	hooks managerHooks

	board    *roleBoard            // every role's latest status
	env      *roleEnv              // shared by the role actors
	top      map[string]*actor.PID // top-level role -> its role actor
	stopping bool
	waiters  []*actor.PID // senders of StopRoles

	// The pacing of the top-level roles' starts (manager_pacing.go): their
	// rooms in the window of starts, how many were asked for, and the
	// context of the asking, cancelled once all were or the roles stop.
	rooms         map[string]*startRoom
	admitted      int
	admitting     context.Context
	stopAdmitting context.CancelFunc
}

// Receive implements actor.Actor.
func (m *roleManager) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		m.onStarted(ctx)
	case *roleSnapshot:
		m.board.set(msg.status.Role, RoleStatus{Status: *msg.status, Active: true})
		m.moved(msg.status)
	case *roleAdmitted:
		m.onAdmitted(ctx, msg)
	case *roleInactive:
		m.setInactive(msg.role)
	case *Promoted, *Demoted, *LeaderChanged, *Failed:
		if parent := ctx.Parent(); parent != nil && !isGuardian(parent) {
			ctx.Send(parent, msg)
		}
	case *GetRolesStatus:
		ctx.Respond(m.board.snapshot())
	case *StopRoles:
		m.onStopRoles(ctx)
	case *actor.Terminated:
		m.onTerminated(ctx, msg.Who)
	case *actor.Stopping:
		m.giveBackRooms()
	case *actor.Stopped:
		if m.hooks.onStopped != nil {
			m.hooks.onStopped()
		}
	}
}

// onStarted starts admitting the top-level roles, whose actors are
// spawned as they find room (manager_pacing.go).
func (m *roleManager) onStarted(ctx actor.Context) {
	m.board = newRoleBoard(m.tree)
	m.env = &roleEnv{tree: m.tree, reportTo: ctx.Self(), onStatus: m.hooks.onStatus}
	m.top = map[string]*actor.PID{}
	m.rooms = map[string]*startRoom{}
	m.admitting, m.stopAdmitting = context.WithCancel(context.Background())
	m.admitNext(ctx)
}

// inactiveRole is the entry of a role without an election.
func inactiveRole(tree *roleTree, role string) RoleStatus {
	return RoleStatus{
		Status: Status{Role: role, InstanceID: tree.instanceID, State: PhaseInactive},
		Parent: tree.node(role).spec.Parent,
	}
}

// setInactive marks a role inactive, unless it already is.
func (m *roleManager) setInactive(role string) {
	if rs, ok := m.board.get(role); !ok || !rs.Active {
		return
	}
	m.board.set(role, inactiveRole(m.tree, role))
	if m.hooks.onInactive != nil {
		m.hooks.onInactive(role)
	}
}

// onStopRoles asks every top-level role to finish; each finishes its child
// roles first.
func (m *roleManager) onStopRoles(ctx actor.Context) {
	if sender := ctx.Sender(); sender != nil {
		m.waiters = append(m.waiters, sender)
	}
	if !m.stopping {
		m.stopping = true
		m.giveBackRooms()
		for _, pid := range m.top {
			ctx.Send(pid, &finishRole{})
		}
	}
	m.maybeDone(ctx)
}

// onTerminated forgets a top-level role actor; its roles and those below it
// are inactive now.
func (m *roleManager) onTerminated(ctx actor.Context, who *actor.PID) {
	for role, pid := range m.top {
		if pid.Equal(who) {
			delete(m.top, role)
			m.giveBackRoom(role)
			for _, r := range m.tree.descendants(role) {
				m.setInactive(r)
			}
		}
	}
	m.maybeDone(ctx)
}

// maybeDone answers StopRoles and stops the manager once every role ended.
func (m *roleManager) maybeDone(ctx actor.Context) {
	if !m.stopping || len(m.top) > 0 {
		return
	}
	for _, w := range m.waiters {
		ctx.Send(w, &RolesStopped{})
	}
	m.waiters = nil
	ctx.Stop(ctx.Self())
}
