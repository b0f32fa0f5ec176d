package transport_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
)

// TestWatchHubSurvivesServerRestart restarts the only server and checks the
// hub delivers the next change promptly: a watch can stall silently after a
// restart, so the hub must replace it on reconnect.
func TestWatchHubSurvivesServerRestart(t *testing.T) {
	srv := natstest.RunServer(t)
	f := newFixture(t, srv.URL(), 1)
	f.opts.PollInterval = time.Minute // prove the watch, not the poll, recovers
	watcherConn := natstest.Connect(t, srv.URL())
	store, err := transport.Open(ctx(t), watcherConn, f.opts)
	if err != nil {
		t.Fatalf("open watcher's store: %v", err)
	}
	t.Cleanup(store.Close)
	role := "restart"
	w := watchKey(t, store, role)
	expectEvent(t, w, 5*time.Second, "initial state: absent", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyAbsent })
	conns := []*connWatched{watchConn(t, f.store), watchConn(t, store)}
	for _, cw := range conns {
		expectConn(t, cw, transport.Connected)
	}

	if err := srv.Restart(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	for _, cw := range conns {
		expectConn(t, cw, transport.Disconnected)
		expectConn(t, cw, transport.Reconnected)
	}
	start := time.Now()
	lease, err := f.store.Acquire(ctx(t), role, record("after-restart", 5*time.Second))
	if err != nil {
		t.Fatalf("acquire after restart: %v", err)
	}
	expectEvent(t, w, 5*time.Second, "put made after the restart", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeyPut && ev.Entry.Revision == lease.Revision
	})
	t.Logf("change seen %v after it was made, following a server restart", time.Since(start))
}
