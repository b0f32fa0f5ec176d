package leadership

import (
	"context"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
)

// A role manager spawns its top-level roles one at a time, each once its
// connection's window of starts has room (start_window.go), as
// Election.Start does for one election: spawned all at once, 10,000 roles
// put their first writes on the wire together, most of them timed out and
// backed off, and the last role led 3.7 s (sessions) and 13.4 s (TTL per
// role) after the manager's Start returned. A role's room is given back at
// its election's first move, seen in its snapshots, or an OpTimeout after.
// The manager's Start returns once every top-level role runs, so it is
// paced too.

// roleAdmitted says that a top-level role has room in its connection's
// window of starts, or, with no room, that the manager stopped asking.
// The room is given back an OpTimeout after it was taken even if this
// message is never handled, and at once if the manager is gone
// (actors.Run discards it).
type roleAdmitted struct {
	role string
	room *startRoom
}

// Discard implements actors.Discarder.
func (a *roleAdmitted) Discard() {
	if a.room != nil {
		a.room.give()
	}
}

// admitNext asks for the room of the next top-level role not yet
// admitted, without blocking Receive: the answer comes back as
// roleAdmitted, and onAdmitted asks for the next.
func (m *roleManager) admitNext(ctx actor.Context) {
	roles := m.tree.childrenOf("")
	if m.admitted == len(roles) {
		m.stopAdmitting()
		return
	}
	role := roles[m.admitted]
	m.admitted++
	cfg, admitting := &m.tree.node(role).spec.Config, m.admitting
	actors.Run(ctx, func() (context.Context, any) {
		leave, err := startWindows.Enter(admitting, cfg.Conn)
		if err != nil {
			return nil, &roleAdmitted{role: role} // the manager stopped asking
		}
		return nil, &roleAdmitted{role: role, room: takeRoom(leave, cfg.Timings.OpTimeout)}
	})
}

// onAdmitted spawns an admitted role, unless the roles are stopping.
func (m *roleManager) onAdmitted(ctx actor.Context, msg *roleAdmitted) {
	if msg.room == nil {
		return
	}
	if m.stopping {
		msg.room.give()
		return
	}
	m.rooms[msg.role] = msg.room
	m.top[msg.role] = ctx.SpawnPrefix(newRoleProps(m.env, msg.role), "role")
	m.admitNext(ctx)
}

// moved gives back a top-level role's room once its election's snapshot
// shows its first move.
func (m *roleManager) moved(st *Status) {
	if movedFirst(st) {
		m.giveBackRoom(st.Role)
	}
}

// giveBackRoom gives back role's room, if it still holds one.
func (m *roleManager) giveBackRoom(role string) {
	if room := m.rooms[role]; room != nil {
		room.give()
		delete(m.rooms, role)
	}
}

// giveBackRooms stops admitting roles and gives back every room still
// held.
func (m *roleManager) giveBackRooms() {
	m.stopAdmitting()
	for role := range m.rooms {
		m.giveBackRoom(role)
	}
}
