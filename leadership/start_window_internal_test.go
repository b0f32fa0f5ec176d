package leadership

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
)

// heldRooms are rooms of a window of starts a test holds.
type heldRooms []func()

// giveBack gives back the first n rooms held.
func (h *heldRooms) giveBack(n int) {
	for _, leave := range (*h)[:n] {
		leave()
	}
	*h = (*h)[n:]
}

// fullWindow connects to a new server and takes every room of the
// connection's window of starts; the rooms the test has not given back
// are given back when it ends.
func fullWindow(t *testing.T) (*nats.Conn, *actor.ActorSystem, *heldRooms) {
	t.Helper()
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	held := &heldRooms{}
	for range maxStartsInFlight {
		leave, err := startWindows.Enter(context.Background(), nc)
		if err != nil {
			t.Fatal(err)
		}
		*held = append(*held, leave)
	}
	t.Cleanup(func() { held.giveBack(len(*held)) })
	return nc, system, held
}

// TestStartWaitsWhileItsConnectionsStartsAreFull: while maxStartsInFlight
// elections of a connection have yet to make their first move, a Start on
// it waits, fails with a clear error if its context ends first and leaves
// nothing running, and runs once one of them moves.
func TestStartWaitsWhileItsConnectionsStartsAreFull(t *testing.T) {
	nc, system, held := fullWindow(t)
	e, err := NewElection(system, Config{Conn: nc, Role: "paced", InstanceID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop() })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = e.Start(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "elections started before it") {
		t.Fatalf("Start with every room of its connection taken: %v, want the deadline, naming the elections it waited for", err)
	}
	if st := e.Status(); st.State != PhaseInactive {
		t.Fatalf("a Start that never got room left the election %s, want inactive", st.State)
	}
	if n := startWindows.Waiting(nc); n != 0 {
		t.Fatalf("%d Starts still wait after the only one gave up", n)
	}

	started := make(chan error, 1)
	go func() { started <- e.Start(context.Background()) }()
	held.giveBack(1)
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Start once an election before it moved: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waited 10s for Start to return once one room was given back")
	}
}

// TestARoleManagerSpawnsItsRolesAsTheyFindRoom: while every room of its
// connection's window of starts is taken, a role manager spawns none of
// its roles, and its Start waits; it spawns one as each room is given back,
// and gives back each role's room at its first move.
func TestARoleManagerSpawnsItsRolesAsTheyFindRoom(t *testing.T) {
	nc, system, held := fullWindow(t)
	m, err := NewRoleManager(system, "a", RoleSpec{Role: "first", Config: Config{Conn: nc}}, RoleSpec{Role: "second", Config: Config{Conn: nc}})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	go func() { started <- m.Start(context.Background()) }()
	until(t, "the manager to ask for its first role's room", func() bool { return startWindows.Waiting(nc) == 1 })
	if st := m.Status(); st.Roles["first"].Active || st.Roles["second"].Active {
		t.Fatalf("roles active with every room taken: %+v", st.Roles)
	}
	held.giveBack(2)
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Start once rooms were given back: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waited 10s for the manager's Start once two rooms were given back")
	}
	until(t, "both roles to give back their rooms at their first move", func() bool { return startWindows.Inside(nc) == len(*held) })
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// until polls cond every millisecond until it holds, failing after 10s
// with what was awaited: the window of starts publishes no event.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
