package leadership_test

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

func TestFacadeSinglePromoted(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	e, err := leadership.NewElection(system, fastConfig(connect(t, srv.URL()), "solo", "a"))
	if err != nil {
		t.Fatal(err)
	}
	promoted := make(chan leadership.Token, 1)
	demoted := make(chan leadership.DemoteReason, 1)
	e.OnPromote(func(_ context.Context, tok leadership.Token) { promoted <- tok })
	e.OnDemote(func(_ context.Context, r leadership.DemoteReason) { demoted <- r })
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case tok := <-promoted:
		t.Logf("promoted with %v", tok)
	case <-time.After(5 * time.Second):
		t.Fatalf("waited 5s for promotion; status %+v", e.Status())
	}
	if !e.IsLeader() {
		t.Fatal("not leader after promotion")
	}
	if err := e.ValidateToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-demoted:
		t.Logf("demoted: %v", r)
	default:
		t.Fatal("no demotion after stop")
	}
}
