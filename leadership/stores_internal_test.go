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

func TestElectionsOnOneSystemShareOneStore(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	cfg, err := Config{Conn: nc, Role: "shared", TTL: 2 * time.Second}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := openShared(ctx, system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openShared(ctx, system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.Store != b.Store {
		t.Fatal("two elections on one system, connection and bucket got two stores")
	}
	other := actor.NewActorSystem()
	t.Cleanup(other.Shutdown)
	c, err := openShared(ctx, other, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store == a.Store {
		t.Fatal("two actor systems share a store: the store must belong to the system")
	}
	c.Close()

	slower := cfg
	slower.Timings.OpTimeout = cfg.Timings.OpTimeout + time.Second
	_, err = openShared(ctx, system, slower)
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "Timings.OpTimeout "+slower.Timings.OpTimeout.String()) {
		t.Fatalf("an election asking for another OpTimeout: %v, want ErrInvalidConfig naming both values", err)
	}

	a.Close()
	a.Close() // a share is given back once
	if d, err := openShared(ctx, system, cfg); err != nil || d.Store != b.Store {
		t.Fatalf("store closed while a share was still held: %v", err)
	} else {
		d.Close()
	}
	b.Close()
	e, err := openShared(ctx, system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Store == b.Store {
		t.Fatal("the store outlived its last share")
	}
}
