package transport_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
)

func TestWatchConnectionReportsLossAndReturn(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	f := newFixture(t, proxy.URL(), 1)
	first, second := watchConn(t, f.store), watchConn(t, f.store)
	for _, w := range []*connWatched{first, second} {
		expectConn(t, w, transport.Connected)
	}
	proxy.CutConnections()
	for _, w := range []*connWatched{first, second} {
		expectConn(t, w, transport.Disconnected)
		expectConn(t, w, transport.Reconnected)
	}
	second.Stop()
	late := watchConn(t, f.store)
	expectConn(t, late, transport.Connected) // it saw no loss
	f.nc.Close()
	expectConn(t, first, transport.Closed)
	expectConn(t, late, transport.Closed)
	select {
	case ev := <-second.events:
		t.Fatalf("stopped connection watch was called with %v", ev.State)
	default:
	}
}

// connWatched is a connection watch whose events a test reads from a channel.
type connWatched struct {
	transport.Watch
	events chan transport.ConnEvent
}

// watchConn watches the store's connection until the test ends.
func watchConn(t *testing.T, store transport.LeaseStore) *connWatched {
	t.Helper()
	w := &connWatched{events: make(chan transport.ConnEvent, 64)}
	w.Watch = store.WatchConnection(func(ev transport.ConnEvent) {
		select {
		case w.events <- ev:
		default: // a test reads far fewer than the buffer holds
		}
	})
	t.Cleanup(w.Stop)
	return w
}

func expectConn(t *testing.T, w *connWatched, want transport.ConnState) {
	t.Helper()
	select {
	case ev := <-w.events:
		if ev.State != want {
			t.Fatalf("connection event = %v, want %v", ev.State, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for connection event %v", want)
	}
}
