package transport_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
)

func TestConnWatchReportsLossAndReturn(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	nc := natstest.Connect(t, proxy.URL())
	w := transport.WatchConnection(nc)
	defer w.Stop()
	expectConn(t, w, transport.Connected)
	proxy.CutConnections()
	expectConn(t, w, transport.Disconnected)
	expectConn(t, w, transport.Reconnected)
	nc.Close()
	expectConn(t, w, transport.Closed)
}

func expectConn(t *testing.T, w *transport.ConnWatch, want transport.ConnState) {
	t.Helper()
	select {
	case ev, ok := <-w.Events():
		if !ok || ev.State != want {
			t.Fatalf("connection event = %v (open %v), want %v", ev.State, ok, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for connection event %v", want)
	}
}
