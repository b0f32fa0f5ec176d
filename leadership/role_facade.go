package leadership

import (
	"context"
	"fmt"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// RoleManager is the facade of a role manager (see NewRoleManagerProps) for
// programs that do not use actors: it runs the manager on an actor system
// and reads its status. Each role's callbacks are those of its RoleSpec;
// callbacks of one role never overlap, and a parent's OnDemote starts only
// after its child roles' OnDemote returned.
//
// All methods are safe for concurrent use.
type RoleManager interface {
	// Start spawns the manager and returns once every top-level role's
	// election has opened its lease bucket. If one cannot (for example, the
	// server has no JetStream), it stops the manager and returns the error.
	// The top-level roles start one after another, each once fewer than
	// 256 elections of its connection have yet to make their first move,
	// so thousands of roles do not put their first writes on the wire at
	// once.
	Start(ctx context.Context) error
	// Stop stops every role in order, as StopRoles does, and returns once
	// the manager has stopped and every OnDemote has returned. If ctx ends
	// first, the roles are stopped at once (leases are still released) and
	// Stop returns without waiting, with an error wrapping ctx.Err().
	Stop(ctx context.Context) error
	// Status is the latest aggregate status.
	Status() RolesStatus
	// IsLeader reports whether this instance leads role and the lease's
	// self-demotion deadline has not passed, on the local clock. It is false
	// for a role that is not declared.
	IsLeader(role string) bool
}

// NewRoleManager validates specs as NewRoleManagerProps does and returns a
// manager on system for instanceID, not yet started.
func NewRoleManager(system *actor.ActorSystem, instanceID string, specs ...RoleSpec) (RoleManager, error) {
	if system == nil {
		return nil, fmt.Errorf("%w: actor system is nil", ErrInvalidConfig)
	}
	tree, err := newRoleTree(instanceID, specs)
	if err != nil {
		return nil, err
	}
	m := &roleManagerFacade{system: system, tree: tree, board: newRoleBoard(tree), changed: make(chan struct{}, 1), ended: make(chan struct{})}
	return m, nil
}

// roleManagerFacade implements RoleManager.
type roleManagerFacade struct {
	system  *actor.ActorSystem
	tree    *roleTree
	board   *roleBoard    // every role's latest status
	changed chan struct{} // signalled after each status change
	ended   chan struct{} // closed when the manager actor stopped
	endOnce sync.Once

	mu      sync.Mutex // guards the fields below
	pid     *actor.PID
	started bool
	stopped bool
}

// Start implements RoleManager.
func (m *roleManagerFacade) Start(ctx context.Context) error {
	m.mu.Lock()
	if m.started {
		m.mu.Unlock()
		return ErrAlreadyStarted
	}
	m.started = true
	hooks := managerHooks{onStatus: m.onElectionStatus, onInactive: m.onInactive, onStopped: m.onStopped}
	props := newManagerProps(m.tree, hooks).
		Configure(actor.WithGuardian(giveUpStrategy))
	m.pid = m.system.Root.Spawn(props)
	m.mu.Unlock()

	for {
		ready, err := m.topLevelReady()
		if err != nil {
			_ = m.Stop(context.Background())
			return fmt.Errorf("start role manager: %w", err)
		}
		if ready {
			return nil
		}
		select {
		case <-m.changed:
		case <-m.ended:
			return fmt.Errorf("start role manager: %w", ErrStopped)
		case <-ctx.Done():
			_ = m.Stop(context.Background())
			return fmt.Errorf("start role manager: %w", ctx.Err())
		}
	}
}

// topLevelReady reports whether every top-level role's election is ready,
// or the error of one that failed.
func (m *roleManagerFacade) topLevelReady() (bool, error) {
	for _, role := range m.tree.childrenOf("") {
		rs, _ := m.board.get(role)
		if rs.Err != nil {
			return false, fmt.Errorf("role %q: %w: %w", role, ErrStopped, rs.Err)
		}
		if !rs.Ready {
			return false, nil
		}
	}
	return true, nil
}

// onElectionStatus records an election's snapshot. It runs on the
// election's goroutine before the election reports the change, so IsLeader
// already holds when the role's OnPromote runs.
func (m *roleManagerFacade) onElectionStatus(st *Status) {
	m.setRole(st.Role, RoleStatus{Status: *st, Active: true})
}

// onInactive records that a role has no election any more.
func (m *roleManagerFacade) onInactive(role string) {
	m.setRole(role, inactiveRole(m.tree, role))
}

// setRole replaces one role's entry and wakes Start.
func (m *roleManagerFacade) setRole(role string, rs RoleStatus) {
	m.board.set(role, rs)
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// onStopped records that the manager actor is gone.
func (m *roleManagerFacade) onStopped() {
	m.endOnce.Do(func() { close(m.ended) })
}

// Stop implements RoleManager.
func (m *roleManagerFacade) Stop(ctx context.Context) error {
	m.mu.Lock()
	if !m.started {
		m.mu.Unlock()
		return ErrNotStarted
	}
	first := !m.stopped
	m.stopped = true
	pid := m.pid
	m.mu.Unlock()

	if first {
		m.system.Root.Send(pid, &StopRoles{})
	}
	select {
	case <-m.ended:
		return nil
	case <-ctx.Done():
		m.system.Root.Stop(pid)
		return fmt.Errorf("stop role manager: %w", ctx.Err())
	}
}

// Status implements RoleManager.
func (m *roleManagerFacade) Status() RolesStatus { return *m.board.snapshot() }

// IsLeader implements RoleManager.
func (m *roleManagerFacade) IsLeader(role string) bool {
	rs, ok := m.board.get(role)
	return ok && rs.IsLeader()
}
