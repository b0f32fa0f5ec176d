package leadership

import "github.com/asynkron/protoactor-go/actor"

// GetRolesStatus asks a role manager for its *RolesStatus (use
// RequestFuture).
type GetRolesStatus struct{}

// StopRoles asks a role manager to stop every role in order, then stop
// itself. A leading role first stops its child roles and work actors, then
// releases its lease; each role's Demoted is reported and its OnDemote has
// returned before its parent's Demoted is reported. The manager replies
// *RolesStopped to the sender, if any, when it is done.
type StopRoles struct{}

// RolesStopped answers StopRoles.
type RolesStopped struct{}

// RolesStatus is a role manager's view of all its roles. It is a snapshot:
// treat it, and its map, as read-only.
type RolesStatus struct {
	// InstanceID is the instance the manager campaigns for.
	InstanceID string
	// Roles has one entry per declared role.
	Roles map[string]RoleStatus
}

// RoleStatus is one role's entry in RolesStatus.
type RoleStatus struct {
	// Status is the latest snapshot of the role's election. While the role
	// is not active it holds only Role and InstanceID, with State
	// "inactive".
	Status
	// Parent is the role's parent, "" for a top-level role.
	Parent string
	// Active is true while the role has an election running: always for a
	// top-level role between start and stop, and for a child role while
	// this instance leads its parent.
	Active bool
}

// Messages between a role manager, its role actors and their elections.
type (
	// roleSnapshot carries an election's Status to the manager.
	roleSnapshot struct{ status *Status }
	// roleInactive tells the manager a role actor finished: its election,
	// work and child roles are gone and its callbacks have returned.
	roleInactive struct{ role string }
	// finishRole asks a role actor to end in order and stop itself; with
	// keepLease its election leaves a held lease to expire. A sender is
	// answered with *roleEnded once the role's callbacks have run.
	finishRole struct{ keepLease bool }
	// roleEnded answers finishRole.
	roleEnded struct{}
	// childFailed reports, to a role actor, that one of its children failed
	// (before the supervisor restarts or gives it up).
	childFailed struct {
		child  *actor.PID
		reason any
	}
	// callbacksDrained is queued behind a role's last callback.
	callbacksDrained struct{}
)
