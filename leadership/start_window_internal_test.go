package leadership

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
)

// TestStartWaitsWhileItsConnectionsStartsAreFull: while maxStartsInFlight
// elections of a connection have yet to make their first move, a Start on
// it waits, fails with a clear error if its context ends first and leaves
// nothing running, and runs once one of them moves.
func TestStartWaitsWhileItsConnectionsStartsAreFull(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	var held []func()
	for range maxStartsInFlight {
		leave, err := startWindows.Enter(context.Background(), nc)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, leave)
	}
	t.Cleanup(func() {
		for _, leave := range held {
			leave()
		}
	})
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
	held[0]()
	held = held[1:]
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Start once an election before it moved: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waited 10s for Start to return once one room was given back")
	}
}
