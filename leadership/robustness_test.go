package leadership_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// eventually polls cond every 10ms until it holds, failing after timeout
// with what was awaited. It is for state that is published as a snapshot,
// not as an event.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReconnectWithinGraceKeepsLeadership(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	probe, pid := spawnCandidate(t, system, fastConfig(connect(t, proxy.URL()), "grace", "a"))
	p := actortest.Expect[*leadership.Promoted](t, probe, wait)
	renewalsBefore := status(t, system, pid).Lease.LastRenewal

	proxy.CutConnections() // a visible loss; the client reconnects at once
	eventually(t, wait, "a renewal sent after the reconnect to succeed", func() bool {
		st := status(t, system, pid)
		return st.Lease.LastRenewal.After(renewalsBefore) && st.Conditions.Connected
	})
	actortest.ExpectNo[*leadership.Demoted](t, probe, 10*time.Millisecond)
	if st := status(t, system, pid); !st.IsLeader() || st.Lease.Token != p.Token {
		t.Fatalf("after reconnecting within the grace: %+v; want still leading term %d", st, p.Token.Revision)
	}
}

func TestDisconnectLongerThanGraceDemotes(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	cfg := fastConfig(connect(t, proxy.URL()), "grace-out", "a")
	probe, _ := spawnCandidate(t, system, cfg)
	actortest.Expect[*leadership.Promoted](t, probe, wait)

	proxy.Blackhole() // reconnect attempts hang
	// Taken before the cut: the client may see the loss, and start its
	// grace, before CutConnections returns.
	lost := time.Now()
	proxy.CutConnections() // the client sees the loss now
	d := actortest.Expect[*leadership.Demoted](t, probe, wait)
	if d.Reason != leadership.ReasonDisconnected {
		t.Fatalf("demoted for %v after %v, want %v", d.Reason, time.Since(lost), leadership.ReasonDisconnected)
	}
	if after := time.Since(lost); after < cfg.Timings.DisconnectGrace {
		t.Fatalf("demoted %v after the loss, before the grace %v", after, cfg.Timings.DisconnectGrace)
	}
	proxy.Heal()
}

// switchableChecker fails while failing is set.
type switchableChecker struct{ failing atomic.Bool }

func (c *switchableChecker) Check(context.Context) error {
	if c.failing.Load() {
		return errors.New("dependency down")
	}
	return nil
}

func TestUnhealthyLeaderReleasesAndWaitsUntilHealthy(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	checker := &switchableChecker{}
	cfg := fastConfig(connect(t, srv.URL()), "health", "sick")
	cfg.Health.Checker = checker
	cfg.Health.Interval = 50 * time.Millisecond
	cfg.Health.FailureThreshold = 2
	sickProbe, _ := spawnCandidate(t, system, cfg)
	actortest.Expect[*leadership.Promoted](t, sickProbe, wait)
	_, otherPID := spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "health", "other"))

	from := events.len()
	checker.failing.Store(true)
	d := actortest.Expect[*leadership.Demoted](t, sickProbe, wait)
	if d.Reason != leadership.ReasonUnhealthy {
		t.Fatalf("demoted for %v, want unhealthy", d.Reason)
	}
	// The unhealthy leader released the key: the other takes over at once,
	// well before the TTL.
	promoted := events.await(t, from, cfg.TTL/2, "the healthy candidate's prompt promotion", promotedOf("other"))
	t.Logf("takeover after the unhealthy leader released: %v", promoted.at.Sub(events.snapshot()[from].at))

	// With the key free again, the unhealthy candidate does not campaign.
	if err := system.Root.PoisonFuture(otherPID).Wait(); err != nil {
		t.Fatal(err)
	}
	actortest.ExpectNo[*leadership.Promoted](t, sickProbe, 500*time.Millisecond)
	checker.failing.Store(false)
	actortest.Expect[*leadership.Promoted](t, sickProbe, wait)
}

func TestBreakerOpensWhenAcquisitionKeepsFailing(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := connect(t, srv.URL())
	// A sealed stream refuses every write while reads still work: the key
	// looks free, and every acquisition fails with a refusal.
	sealBucket(t, nc)
	cfg := fastConfig(nc, "sealed", "a")
	cfg.Timings.BreakerThreshold = 3
	cfg.Timings.BreakerCooldown = time.Second
	cfg.Timings.RetryInitialInterval = 20 * time.Millisecond
	e := startElection(t, cfg)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	eventually(t, wait, "the breaker to open", func() bool { return e.Status().Acquisition.Breaker == leadership.BreakerOpen })
	st := e.Status()
	if st.Acquisition.Attempts != 3 || st.Acquisition.ConsecutiveFailures != 3 || st.LastError == "" || st.Acquisition.RetryBackoff == 0 {
		t.Fatalf("open breaker status %+v; want 3 failed attempts, an error and a backoff", st)
	}
	// No attempt while open; one trial after the cool-down, which fails and
	// opens the breaker again.
	eventually(t, 3*cfg.Timings.BreakerCooldown, "a half-open trial", func() bool { return e.Status().Acquisition.Attempts == 4 })
	eventually(t, wait, "the breaker to open again", func() bool { return e.Status().Acquisition.Breaker == leadership.BreakerOpen })
	if e.IsLeader() {
		t.Fatal("leader on a bucket that refuses writes")
	}
	t.Logf("status with the breaker open: attempts %d, failures %d, last error %q",
		e.Status().Acquisition.Attempts, e.Status().Acquisition.ConsecutiveFailures, e.Status().LastError)
}

// sealBucket makes the default bucket, created if needed, refuse every
// write while reads still work.
func sealBucket(t *testing.T, nc *nats.Conn) {
	t.Helper()
	store, err := transport.Open(context.Background(), nc, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(context.Background(), "KV_"+leadership.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	scfg := stream.CachedInfo().Config
	scfg.Sealed = true
	if _, err := js.UpdateStream(context.Background(), scfg); err != nil {
		t.Fatalf("seal the bucket's stream: %v", err)
	}
}

// TestFollowerRereadsAfterReconnect cuts a follower off while the leader
// releases; once back, the follower must re-read the key (the release
// happened while it was away, so no watch event will come) and take over.
func TestFollowerRereadsAfterReconnect(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	leaderProbe, leaderPID := spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "reread", "leader"))
	actortest.Expect[*leadership.Promoted](t, leaderProbe, wait)
	cfg := fastConfig(connect(t, proxy.URL()), "reread", "follower")
	cfg.Timings.PollInterval = time.Minute // only the reconnect may trigger the re-read
	followerProbe, _ := spawnCandidate(t, system, cfg)
	awaitLeaderSeen(t, followerProbe, "leader")

	proxy.Blackhole()
	proxy.CutConnections()
	if err := system.Root.PoisonFuture(leaderPID).Wait(); err != nil {
		t.Fatal(err)
	}
	actortest.ExpectNo[*leadership.Promoted](t, followerProbe, 300*time.Millisecond)
	healed := time.Now()
	proxy.Heal()
	actortest.Expect[*leadership.Promoted](t, followerProbe, wait)
	t.Logf("follower took over %v after its link healed", time.Since(healed))
}

// TestReconnectRefutedWhenTheLeaseMovedOn has the lease move on while the
// leader is disconnected (an operator deletes the key and another candidate
// takes it). Back within its grace, the leader must fail to prove its lease
// and demote.
func TestReconnectRefutedWhenTheLeaseMovedOn(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	cfg := fastConfig(natstest.Connect(t, proxy.URL(), nats.Timeout(200*time.Millisecond)), "refute", "a")
	cfg.Timings.DisconnectGrace = cfg.Timings.RenewDeadline
	probeA, _ := spawnCandidate(t, system, cfg)
	actortest.Expect[*leadership.Promoted](t, probeA, wait)
	admin := connect(t, srv.URL())
	probeB, _ := spawnCandidate(t, system, fastConfig(admin, "refute", "b"))
	awaitLeaderSeen(t, probeB, "a")

	proxy.Blackhole()
	proxy.CutConnections()
	js, err := jetstream.New(admin)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(context.Background(), leadership.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(context.Background(), "refute"); err != nil {
		t.Fatalf("operator delete: %v", err)
	}
	actortest.Expect[*leadership.Promoted](t, probeB, wait)
	proxy.Heal()
	if d := actortest.Expect[*leadership.Demoted](t, probeA, wait); d.Reason != leadership.ReasonReconnectRefuted {
		t.Fatalf("demoted for %v, want %v", d.Reason, leadership.ReasonReconnectRefuted)
	}
}
