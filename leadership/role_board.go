package leadership

import "sync/atomic"

// roleBoard holds the latest status of every role of a manager, one atomic
// slot per role: the set of roles is fixed when the manager is built, so an
// update touches one slot and a read of one role is a lookup. Only a whole
// RolesStatus, built on request, costs a pass over the roles; no status
// change does. It is safe for concurrent use.
type roleBoard struct {
	instanceID string
	slots      map[string]*atomic.Pointer[RoleStatus]
}

// newRoleBoard returns a board of tree's roles, all inactive.
func newRoleBoard(tree *roleTree) *roleBoard {
	b := &roleBoard{instanceID: tree.instanceID, slots: make(map[string]*atomic.Pointer[RoleStatus], len(tree.nodes))}
	for i := range tree.nodes {
		role := tree.nodes[i].spec.Role
		slot := &atomic.Pointer[RoleStatus]{}
		rs := inactiveRole(tree, role)
		slot.Store(&rs)
		b.slots[role] = slot
	}
	return b
}

// set replaces role's status, keeping its parent; an undeclared role is
// ignored.
func (b *roleBoard) set(role string, rs RoleStatus) {
	if slot := b.slots[role]; slot != nil {
		rs.Parent = slot.Load().Parent
		slot.Store(&rs)
	}
}

// get returns role's latest status.
func (b *roleBoard) get(role string) (RoleStatus, bool) {
	slot := b.slots[role]
	if slot == nil {
		return RoleStatus{}, false
	}
	return *slot.Load(), true
}

// snapshot returns every role's latest status.
func (b *roleBoard) snapshot() *RolesStatus {
	st := &RolesStatus{InstanceID: b.instanceID, Roles: make(map[string]RoleStatus, len(b.slots))}
	for role, slot := range b.slots {
		st.Roles[role] = *slot.Load()
	}
	return st
}
