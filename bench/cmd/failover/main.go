// Command failover measures how long the roles of an instance that dies take
// to pass to another instance: instance a leads N roles, instance b is the
// other candidate of each, and a's connection is closed without a release
// (to the server, a crash). It prints, for leases with a TTL per role and
// for sessions, the time from the crash until b leads every role, against
// the TTL. The server runs in this process.
//
//	cd bench && go run ./cmd/failover -n 1000
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

func main() {
	n := flag.Int("n", 1000, "roles led by the instance that dies")
	ttl := flag.Duration("ttl", 4*time.Second, "the leases' TTL")
	flag.Parse()
	fmt.Printf("| leases | roles | TTL | crash to the other instance leading all | / TTL |\n|---|---|---|---|---|\n")
	for _, sessions := range []bool{false, true} {
		took, err := measure(*n, *ttl, sessions)
		if err != nil {
			fmt.Fprintln(os.Stderr, "failover:", err)
			os.Exit(1)
		}
		kind := "TTL per role"
		if sessions {
			kind = "sessions"
		}
		fmt.Printf("| %s | %d | %v | %.2f s | %.2f |\n", kind, *n, *ttl, took.Seconds(), took.Seconds()/ttl.Seconds())
	}
}

// measure starts a fresh server, lets instance a lead n roles with b
// following, closes a's connection and returns how long until b leads all.
func measure(n int, ttl time.Duration, sessions bool) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "failover")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	srv, err := server.NewServer(&server.Options{Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return 0, err
	}
	go srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		return 0, fmt.Errorf("server not ready")
	}
	a, err := startInstance(srv.ClientURL(), "a", n, ttl, sessions, nil)
	if err != nil {
		return 0, err
	}
	defer a.stop()
	if err := await(func() bool { return a.leading() == n }, time.Minute); err != nil {
		return 0, fmt.Errorf("a leading all %d roles: %w", n, err)
	}
	// The moment b's last role is promoted ends the measurement.
	var bLead atomic.Int64
	allLead := make(chan struct{})
	b, err := startInstance(srv.ClientURL(), "b", n, ttl, sessions, func() {
		if bLead.Add(1) == int64(n) {
			close(allLead)
		}
	})
	if err != nil {
		return 0, err
	}
	defer b.stop()
	// b has registered and watches every role once its elections report ready.
	if err := await(func() bool { return b.ready() == n }, time.Minute); err != nil {
		return 0, fmt.Errorf("b ready for all %d roles: %w", n, err)
	}
	crash := time.Now()
	a.nc.Close()
	select {
	case <-allLead:
		return time.Since(crash), nil
	case <-time.After(2 * time.Minute):
		return 0, fmt.Errorf("b leading all %d roles: not within 2m0s (%d lead)", n, bLead.Load())
	}
}

// instance is one process's elections, one per role, on one connection.
type instance struct {
	nc        *nats.Conn
	system    *actor.ActorSystem
	elections []leadership.Election
}

// startInstance starts n elections named id; onPromote, if not nil, runs
// on every promotion.
func startInstance(url, id string, n int, ttl time.Duration, sessions bool, onPromote func()) (*instance, error) {
	nc, err := nats.Connect(url, nats.ReconnectBufSize(-1))
	if err != nil {
		return nil, err
	}
	in := &instance{nc: nc, system: actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	})))}
	for i := range n {
		e, err := leadership.NewElection(in.system, leadership.Config{Conn: nc, Role: fmt.Sprintf("role-%05d", i), InstanceID: id, TTL: ttl, Sessions: sessions})
		if err != nil {
			return nil, err
		}
		if onPromote != nil {
			e.OnPromote(func(context.Context, leadership.Token) { onPromote() })
		}
		if err := e.Start(context.Background()); err != nil {
			return nil, err
		}
		in.elections = append(in.elections, e)
	}
	return in, nil
}

// leading counts the elections that lead.
func (in *instance) leading() int {
	k := 0
	for _, e := range in.elections {
		if e.IsLeader() {
			k++
		}
	}
	return k
}

// ready counts the elections that follow, knowing the leader.
func (in *instance) ready() int {
	k := 0
	for _, e := range in.elections {
		if st := e.Status(); st.Ready && st.Leader != "" {
			k++
		}
	}
	return k
}

// stop stops the elections without waiting and the actor system.
func (in *instance) stop() {
	for _, e := range in.elections {
		_ = e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true})
	}
	in.system.Shutdown()
	in.nc.Close()
}

// await polls cond (a count of statuses, which raise no event) until it
// holds.
func await(cond func() bool, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %v", bound)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
