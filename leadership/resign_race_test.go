package leadership_test

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// TestResignDuringRenewalFreesTheLease is the regression test for a Resign
// that lands while the leader's renewal is in flight: the release must use
// the revision the renewal leaves, or it is refused and the lease stays held
// for a whole TTL. Both candidates reach the server over a slow link (10 ms
// each way) and renew every 30 ms, so a renewal is in flight for most of
// every heartbeat; over ten resigns, a successor must be promoted well
// within the TTL (5 s) each time: the wait below ends at half of it.
func TestResignDuringRenewalFreesTheLease(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	proxy.SetLatency(10*time.Millisecond, 0)
	promoted := map[string]chan leadership.Token{}
	elections := map[string]leadership.Election{}
	for _, name := range []string{"a", "b"} {
		cfg := leadership.Config{
			Conn: connect(t, proxy.URL()), Role: "resign-race", InstanceID: name,
			TTL: 5 * time.Second,
			Timings: leadership.Timings{HeartbeatInterval: 30 * time.Millisecond, OpTimeout: time.Second,
				ResignHoldOff: 100 * time.Millisecond, CampaignJitter: leadership.None},
		}
		cfg.Telemetry.Logger = fastConfig(cfg.Conn, cfg.Role, name).Telemetry.Logger
		e := startElection(t, cfg)
		ch := make(chan leadership.Token, 16)
		e.OnPromote(func(_ context.Context, tok leadership.Token) { ch <- tok })
		if err := e.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Stop() })
		promoted[name], elections[name] = ch, e
	}
	leader := awaitEitherPromoted(t, promoted, "a", "b", 10*time.Second)
	for i := range 10 {
		// Resign a varying time into the heartbeat, so some resigns land
		// while a renewal is on the wire.
		time.Sleep(time.Duration(i*7%30) * time.Millisecond) // spreads the resigns over the heartbeat; nothing is awaited
		resigned := time.Now()
		if err := elections[leader].Resign(context.Background()); err != nil {
			t.Fatalf("resign %d of %s: %v", i, leader, err)
		}
		// Usually the other candidate takes over; the resigner may win it
		// back once its hold-off ends if the other is slow. Either way the
		// lease must have been freed: nobody could lead before the TTL.
		next := awaitEitherPromoted(t, promoted, "a", "b", 2500*time.Millisecond)
		t.Logf("resign %d: %s took over %v after %s resigned", i, next, time.Since(resigned).Round(time.Millisecond), leader)
		leader = next
	}
}

// awaitEitherPromoted waits for one of two candidates to be promoted and returns
// its name; it fails after timeout.
func awaitEitherPromoted(t *testing.T, promoted map[string]chan leadership.Token, a, b string, timeout time.Duration) string {
	t.Helper()
	select {
	case <-promoted[a]:
		return a
	case <-promoted[b]:
		return b
	case <-time.After(timeout):
		t.Fatalf("waited %v for %s or %s to be promoted", timeout, a, b)
		return ""
	}
}
