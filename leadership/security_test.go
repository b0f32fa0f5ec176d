package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// startOpTimeout is the OpTimeout of the start tests; every error must
// come back within it although Start's context is far longer.
const startOpTimeout = time.Second

// tryStart starts an election on nc with only TTL and OpTimeout set, and
// returns how long Start took and its error. The election is stopped when
// the test ends.
func tryStart(t *testing.T, nc *nats.Conn, mutate func(*leadership.Config)) (time.Duration, error) {
	t.Helper()
	cfg := leadership.Config{Conn: nc, Role: "scheduler", TTL: 2 * time.Second, Timings: leadership.Timings{OpTimeout: startOpTimeout}}
	if mutate != nil {
		mutate(&cfg)
	}
	e, err := leadership.NewElection(newSystem(t), cfg)
	if err != nil {
		t.Fatalf("new election: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	err = e.Start(ctx)
	took := time.Since(start)
	t.Cleanup(func() { _ = e.Stop() })
	return took, err
}

// expectStartError checks Start failed with want, naming what, within
// OpTimeout.
func expectStartError(t *testing.T, err error, took time.Duration, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("start: err = %v, want %v", err, want)
	}
	if !strings.Contains(err.Error(), what) {
		t.Fatalf("start: error %q does not name %s", err, what)
	}
	if took >= startOpTimeout {
		t.Fatalf("start took %v, want under OpTimeout %v", took, startOpTimeout)
	}
	t.Logf("after %v: %v", took.Round(time.Millisecond), err)
}

// connectAs connects as one of natstest's secured users, with nats.go's
// own report of each refusal silenced: the election reports it.
func connectAs(t *testing.T, srv *natstest.Server, user string) *nats.Conn {
	t.Helper()
	return natstest.Connect(t, srv.URL(), nats.UserInfo(user, natstest.SecuredPassword), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
}

func TestStartWithUserAndPassword(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	if _, err := tryStart(t, connectAs(t, srv, natstest.UserAdmin), nil); err != nil {
		t.Fatalf("start as admin: %v", err)
	}
	_, err := nats.Connect(srv.URL(), nats.UserInfo(natstest.UserAdmin, "wrong"), nats.NoReconnect())
	if !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("connect with a wrong password: err = %v, want nats.ErrAuthorization", err)
	}
	t.Logf("wrong password: %v", err)
}

func TestStartWithoutJetStreamPermission(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	took, err := tryStart(t, connectAs(t, srv, natstest.UserNoJetStream), nil)
	expectStartError(t, err, took, leadership.ErrPermissionDenied, `"$JS.API.INFO"`)
}

func TestStartWithoutStreamCreatePermission(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	took, err := tryStart(t, connectAs(t, srv, natstest.UserNoCreate), nil)
	expectStartError(t, err, took, leadership.ErrPermissionDenied, `"$JS.API.STREAM.CREATE.KV_baton"`)
}

func TestStartWithoutCreatingTheBucket(t *testing.T) {
	srv := natstest.RunServer(t)
	took, err := tryStart(t, connect(t, srv.URL()), func(c *leadership.Config) { c.Bucket.NoCreate = true })
	expectStartError(t, err, took, leadership.ErrBucketNotFound, `"baton"`)
}

func TestStartWithReplicasOnASingleServer(t *testing.T) {
	srv := natstest.RunServer(t)
	took, err := tryStart(t, connect(t, srv.URL()), func(c *leadership.Config) { c.Bucket.Replicas = 3 })
	expectStartError(t, err, took, leadership.ErrBucketMisconfigured, "Replicas 3")
}

func TestStartOverTLS(t *testing.T) {
	serverTLS, clientTLS := natstest.TLSPair(t)
	opts := natstest.DefaultOptions()
	opts.TLS = serverTLS
	srv := natstest.RunServerWithOptions(t, opts)
	if _, err := tryStart(t, natstest.Connect(t, srv.URL(), nats.Secure(clientTLS)), nil); err != nil {
		t.Fatalf("start over TLS: %v", err)
	}
}

// TestActorWithoutJetStreamPermission checks that an election spawned as
// an actor tells its parent it failed, within OpTimeout, instead of
// retrying a refused bucket open forever.
func TestActorWithoutJetStreamPermission(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	props, err := leadership.NewProps(leadership.Config{
		Conn: connectAs(t, srv, natstest.UserNoJetStream), Role: "scheduler", TTL: 2 * time.Second, Timings: leadership.Timings{OpTimeout: startOpTimeout},
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	probe, _ := actortest.NewParentProbe(t, newSystem(t), props)
	f := actortest.Expect[*leadership.Failed](t, probe, startOpTimeout)
	expectStartError(t, f.Err, time.Since(start), leadership.ErrPermissionDenied, `"$JS.API.INFO"`)
}

func TestRunningElectionThatCannotWriteReportsOnError(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	// The bucket exists; this user may use JetStream but not write leases.
	if _, err := tryStart(t, connectAs(t, srv, natstest.UserAdmin), func(c *leadership.Config) { c.Role = "setup" }); err != nil {
		t.Fatalf("admin start: %v", err)
	}
	e, err := leadership.NewElection(newSystem(t), leadership.Config{
		Conn: connectAs(t, srv, natstest.UserNoKVPublish), Role: "scheduler", InstanceID: "b",
		TTL: 2 * time.Second, Timings: leadership.Timings{OpTimeout: startOpTimeout},
	})
	if err != nil {
		t.Fatal(err)
	}
	reported := make(chan error, 8)
	e.OnError(func(err error) { reported <- err })
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	select {
	case err := <-reported:
		if !errors.Is(err, leadership.ErrPermissionDenied) || !strings.Contains(err.Error(), "$KV.") {
			t.Fatalf("OnError(%v): want ErrPermissionDenied naming the subject", err)
		}
		t.Logf("OnError: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for OnError; status %+v", e.Status())
	}
}

func TestStartAfterAFailureAndAfterStop(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	e, err := leadership.NewElection(newSystem(t), leadership.Config{Conn: nc, Role: "retry", TTL: 2 * time.Second, Bucket: leadership.Bucket{NoCreate: true}})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.Status(); st.State != leadership.PhaseInactive {
		t.Fatalf("state before Start = %q, want %q", st.State, leadership.PhaseInactive)
	}
	if err := e.Start(context.Background()); !errors.Is(err, leadership.ErrBucketNotFound) {
		t.Fatalf("first start: %v, want ErrBucketNotFound", err)
	}
	if _, err := tryStart(t, nc, func(c *leadership.Config) { c.Role = "creator" }); err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("second start, after the bucket was created: %v", err)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := e.Start(context.Background()); !errors.Is(err, leadership.ErrStopped) {
		t.Fatalf("start after stop: %v, want ErrStopped", err)
	}
}

// TestStartWaitsForTheConnection starts an election on a connection made
// with RetryOnFailedConnect before its server runs: Start waits within its
// context for the connection instead of failing at once.
func TestStartWaitsForTheConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	nc := natstest.Connect(t, fmt.Sprintf("nats://127.0.0.1:%d", port), nats.RetryOnFailedConnect(true), nats.ReconnectWait(50*time.Millisecond))
	e, err := leadership.NewElection(newSystem(t), leadership.Config{Conn: nc, Role: "late", TTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	started := make(chan error, 1)
	go func() { started <- e.Start(context.Background()) }()
	select {
	case err := <-started:
		t.Fatalf("Start returned %v before the server ran", err)
	case <-time.After(200 * time.Millisecond): // Start must still be waiting: nothing can have connected
	}
	opts := natstest.DefaultOptions()
	opts.Port = port
	natstest.RunServerWithOptions(t, opts)
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Start after the server came up: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waited 10s for Start once the server ran")
	}
}
