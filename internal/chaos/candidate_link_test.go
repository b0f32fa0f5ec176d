package chaos

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
)

// The link state the beacon reports follows a cut and a heal of the
// candidate's link from the client's callbacks: disconnected while the
// client reconnects through a blackholed proxy (when asking the client
// would block), connected again afterwards, with the reconnection counted.
func TestLinkStateFollowsACutAndAHeal(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	opts := append(natstest.ClientOptions("link test"), nats.PingInterval(100*time.Millisecond), nats.MaxPingsOutstanding(2), nats.Timeout(connectTimeout))
	nc, err := nats.Connect(proxy.URL(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	l := watchLink(nc)
	if !l.connected.Load() || l.URL() != proxy.URL() || l.reconnects.Load() != 0 {
		t.Fatalf("at the start: connected %v to %q after %d reconnects; want connected to %s after 0", l.connected.Load(), l.URL(), l.reconnects.Load(), proxy.URL())
	}
	proxy.Blackhole()
	awaitLink(t, "the client's disconnection once its pings went unanswered", func() bool { return !l.connected.Load() })
	proxy.Heal()
	awaitLink(t, "the client's reconnection once the proxy forwards again", func() bool { return l.connected.Load() && l.reconnects.Load() == 1 })
	if l.URL() != proxy.URL() {
		t.Errorf("reconnected to %q, want %s", l.URL(), proxy.URL())
	}
}

// awaitLink polls cond, which the client's callbacks make true, for up to
// 10s, and fails naming what it awaited.
func awaitLink(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("waited 10s for %s", what)
		case <-tick.C:
		}
	}
}
