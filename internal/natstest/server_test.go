package natstest_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/batonhq/baton/internal/natstest"
)

const opTimeout = 5 * time.Second

func newKV(t *testing.T, nc *nats.Conn, replicas int) jetstream.KeyValue {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream.New: %v", err)
	}
	// A replicated bucket needs the cluster's meta leader, which a cluster
	// of processes just started on a busy host may still be electing: the
	// same bound as a raft election, not that of one operation. The meta
	// leader can also lack a ready peer's configuration for a moment, and
	// refuses the placement until it has it (see ProcCluster.WaitReady):
	// that refusal alone is asked again.
	ctx, cancel := context.WithTimeout(context.Background(), raftTimeout)
	defer cancel()
	var kv jetstream.KeyValue
	eventually(t, raftTimeout, "a replicated KV bucket placed on the cluster's peers", func() error {
		var err error
		kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "baton", Replicas: replicas})
		if err != nil && !placementRefused(err) {
			t.Fatalf("create KV bucket: %v", err)
		}
		return err
	})
	return kv
}

// placementRefused reports nats-server's "no suitable peers for
// placement".
func placementRefused(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == 10005
}

// put writes value to the tests' one key, "role".
func put(kv jetstream.KeyValue, value string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := kv.Put(ctx, "role", []byte(value))
	return err
}

func get(kv jetstream.KeyValue) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	e, err := kv.Get(ctx, "role")
	if err != nil {
		return "", err
	}
	return string(e.Value()), nil
}

func TestServerJetStreamKV(t *testing.T) {
	s := natstest.RunServer(t)
	if !s.Running() || s.NATS() == nil || s.Name() == "" || s.Port() == 0 {
		t.Fatalf("server not described: running=%v name=%q port=%d", s.Running(), s.Name(), s.Port())
	}
	if !strings.HasPrefix(s.URL(), "nats://127.0.0.1:") {
		t.Fatalf("URL() = %q, want nats://127.0.0.1:port", s.URL())
	}
	kv := newKV(t, natstest.Connect(t, s.URL()), 1)
	if err := put(kv, "holder-1"); err != nil {
		t.Fatalf("put: %v", err)
	}
	if v, err := get(kv); err != nil || v != "holder-1" {
		t.Fatalf("get = %q, %v; want holder-1", v, err)
	}
}

func TestServerWithoutJetStream(t *testing.T) {
	s := natstest.RunServerWithOptions(t, natstest.Options{})
	js, err := jetstream.New(natstest.Connect(t, s.URL()))
	if err != nil {
		t.Fatalf("jetstream.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := js.AccountInfo(ctx); !errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
		t.Fatalf("AccountInfo error = %v, want ErrJetStreamNotEnabled", err)
	}
}

func TestServerRestartKeepsDataAndPort(t *testing.T) {
	s := natstest.RunServer(t)
	reconnected, onReconnect := notify[struct{}]()
	nc := natstest.Connect(t, s.URL(), nats.ReconnectHandler(func(*nats.Conn) { onReconnect(struct{}{}) }))
	kv := newKV(t, nc, 1)
	if err := put(kv, "before"); err != nil {
		t.Fatalf("put: %v", err)
	}
	port, first := s.Port(), s.NATS()

	if err := s.Restart(); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if s.Port() != port {
		t.Fatalf("port after restart = %d, want %d", s.Port(), port)
	}
	if s.NATS() == first || !s.Running() {
		t.Fatalf("restart did not run a new server instance")
	}
	waitFor(t, reconnected, 10*time.Second, "client reconnect after restart")
	if v, err := get(kv); err != nil || v != "before" {
		t.Fatalf("get after restart = %q, %v; want before", v, err)
	}
	if err := put(kv, "after"); err != nil {
		t.Fatalf("put after restart: %v", err)
	}
}

func TestStartServerShutdownRemovesOwnStore(t *testing.T) {
	s, err := natstest.StartServer(natstest.DefaultOptions())
	if err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	dir := s.StoreDir()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("store dir %q: %v", dir, err)
	}
	s.Shutdown()
	s.Shutdown()
	if s.Running() {
		t.Fatalf("server still running after Shutdown")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("store dir %q after Shutdown: %v, want it removed", dir, err)
	}
}

func TestStartServerPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	opts := natstest.Options{Port: ln.Addr().(*net.TCPAddr).Port}
	if _, err := natstest.StartServer(opts); !errors.Is(err, natstest.ErrStartFailed) {
		t.Fatalf("StartServer on a used port: err = %v, want ErrStartFailed", err)
	}
}

func TestStartServerInvalidOptions(t *testing.T) {
	for _, opts := range []natstest.Options{{Port: -1}, {Port: 70000}, {ReadyTimeout: -time.Second}} {
		if _, err := natstest.StartServer(opts); !errors.Is(err, natstest.ErrInvalidOptions) {
			t.Errorf("StartServer(%+v): err = %v, want ErrInvalidOptions", opts, err)
		}
	}
}

func TestServerRestartConcurrentWithReaders(t *testing.T) {
	s := natstest.RunServer(t)
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
				_, _, _ = s.NATS(), s.Running(), s.URL()
			}
		}
	}()
	for range 2 {
		if err := s.Restart(); err != nil {
			t.Errorf("Restart: %v", err)
		}
	}
	close(stop)
	<-readerDone
	if !s.Running() {
		t.Fatalf("server not running after restarts")
	}
}
