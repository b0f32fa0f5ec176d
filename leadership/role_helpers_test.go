package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// roleLog is one ordered log shared by work actors and callbacks of
// several roles, so a test can check what happened before what.
type roleLog struct {
	mu      sync.Mutex
	lines   []string
	arrived chan struct{}
}

func newRoleLog() *roleLog { return &roleLog{arrived: make(chan struct{}, 1)} }

func (l *roleLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
	select {
	case l.arrived <- struct{}{}:
	default:
	}
}

func (l *roleLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// index is the position of line in the log, or -1.
func (l *roleLog) index(line string) int { return slices.Index(l.snapshot(), line) }

// await waits until line is in the log.
func (l *roleLog) await(t *testing.T, line string) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for l.index(line) < 0 {
		select {
		case <-l.arrived:
		case <-deadline.C:
			t.Fatalf("waited %v for %q in the log; log: %q", wait, line, l.snapshot())
		}
	}
}

// requireOrder fails unless every line is in the log, in the given order.
func (l *roleLog) requireOrder(t *testing.T, lines ...string) {
	t.Helper()
	prev := -1
	for _, line := range lines {
		i := l.index(line)
		if i < 0 || i < prev {
			t.Fatalf("want %q in this order; log: %q", lines, l.snapshot())
		}
		prev = i
	}
}

// logDemotes returns an OnDemote that logs "<role> OnDemote <reason>".
func (l *roleLog) logDemotes(role string) func(context.Context, leadership.DemoteReason) {
	return func(_ context.Context, r leadership.DemoteReason) { l.add("%s OnDemote %s", role, r) }
}

// recordingWork is leader work that logs "<name> started <token>" and
// "<name> stopped". Until gate (when not nil) is closed its stop hangs, as
// a slow cleanup would.
func recordingWork(log *roleLog, name string, gate chan struct{}) leadership.WorkFunc {
	return func(tok leadership.Token) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			switch ctx.Message().(type) {
			case *actor.Started:
				log.add("%s started %s", name, tok)
			case *actor.Stopping:
				if gate != nil {
					<-gate
				}
			case *actor.Stopped:
				log.add("%s stopped", name)
			}
		})
	}
}

// newGate returns a channel and a func that closes it, once. Register the
// func with t.Cleanup after the actors that wait on the gate, so it opens
// before they are stopped.
func newGate() (chan struct{}, func()) {
	gate := make(chan struct{})
	var once sync.Once
	return gate, func() { once.Do(func() { close(gate) }) }
}

// roleHealth is a health checker the test makes fail.
type roleHealth struct{ sick atomic.Bool }

func (h *roleHealth) Check(context.Context) error {
	if h.sick.Load() {
		return errors.New("made sick by the test")
	}
	return nil
}

// roleConfig is fastConfig for a role spec (role and instance come from the
// spec and manager) with health, when given, checked every 50ms and
// failing at the first failed check.
func roleConfig(nc *nats.Conn, health *roleHealth) leadership.Config {
	cfg := fastConfig(nc, "", "")
	if health != nil {
		cfg.Health.Checker = health
		cfg.Health.Interval = 50 * time.Millisecond
		cfg.Health.FailureThreshold = 1
	}
	return cfg
}

// spawnRoleManager spawns a role manager as the child of a probe, which
// receives what the manager reports. The manager's roles are stopped in
// order when the test ends.
func spawnRoleManager(t *testing.T, system *actor.ActorSystem, instance string, specs ...leadership.RoleSpec) (*actortest.Probe, *actor.PID) {
	t.Helper()
	props, err := leadership.NewRoleManagerProps(instance, specs...)
	if err != nil {
		t.Fatalf("NewRoleManagerProps: %v", err)
	}
	probe, pid := actortest.NewParentProbe(t, system, props)
	t.Cleanup(func() { stopRoles(t, system, pid) })
	return probe, pid
}

// stopRoles asks a manager to stop its roles in order and waits for its
// answer. A manager stopped already answers through the dead-letter
// process.
func stopRoles(t *testing.T, system *actor.ActorSystem, pid *actor.PID) {
	t.Helper()
	res, err := system.Root.RequestFuture(pid, &leadership.StopRoles{}, wait).Result()
	switch {
	case errors.Is(err, actor.ErrDeadLetter):
	case err != nil:
		t.Errorf("waited for the manager to stop its roles: %v", err)
	default:
		if _, ok := res.(*leadership.RolesStopped); !ok {
			t.Errorf("StopRoles answered %T, want *RolesStopped", res)
		}
	}
}

// rolesStatus asks a manager for its status.
func rolesStatus(t *testing.T, system *actor.ActorSystem, pid *actor.PID) *leadership.RolesStatus {
	t.Helper()
	res, err := system.Root.RequestFuture(pid, &leadership.GetRolesStatus{}, wait).Result()
	if err != nil {
		t.Fatalf("GetRolesStatus: %v", err)
	}
	st, ok := res.(*leadership.RolesStatus)
	if !ok {
		t.Fatalf("GetRolesStatus answered %T", res)
	}
	return st
}

// termEvent is a message that begins or ends a term.
type termEvent interface {
	*leadership.Promoted | *leadership.Demoted
}

// expectRole waits for the next message of type T, which must be about role.
func expectRole[T termEvent](t *testing.T, probe *actortest.Probe, role string) T {
	t.Helper()
	msg := actortest.Expect[T](t, probe, wait)
	var got string
	switch m := any(msg).(type) {
	case *leadership.Promoted:
		got = m.Role
	case *leadership.Demoted:
		got = m.Role
	}
	if got != role {
		t.Fatalf("next %T is for role %q, want %q", msg, got, role)
	}
	return msg
}

// promotedIn matches an election's Promoted for role and, when instance is
// not empty, that instance.
func promotedIn(role, instance string) func(any) bool {
	return func(m any) bool {
		p, ok := m.(*leadership.Promoted)
		return ok && p.Role == role && (instance == "" || p.InstanceID == instance)
	}
}

// demotedIn matches an election's Demoted for role in instance.
func demotedIn(role, instance string) func(any) bool {
	return func(m any) bool {
		d, ok := m.(*leadership.Demoted)
		return ok && d.Role == role && d.InstanceID == instance
	}
}

// describeRoles lists a status for failure messages.
func describeRoles(st *leadership.RolesStatus) string {
	var parts []string
	for _, role := range slices.Sorted(maps.Keys(st.Roles)) {
		rs := st.Roles[role]
		parts = append(parts, fmt.Sprintf("%s{active %v, state %s, leader %q}", role, rs.Active, rs.State, rs.Leader))
	}
	return strings.Join(parts, " ")
}
