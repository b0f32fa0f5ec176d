package leadership_test

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/clock"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// TestSlowClockOutlivesItsLease runs a leader whose clock
// (Config.Timings.Clock) runs at a quarter of real time, far beyond
// MaxClockDrift, and cuts it off from the store. Its RenewDeadline of 1.2s
// lasts 4.8s of real time, while the server frees its key 2s after its last
// renewal: a successor is promoted while the slow leader still believes it
// leads (IsLeader), and only later does the slow leader demote itself. On
// real time the order is the reverse (silentCut), so the deadline, its timer
// and IsLeader all come from the clock; and the overlap is what fencing
// tokens are for.
func TestSlowClockOutlivesItsLease(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	events := record(t, system)
	slow, err := clock.NewDrifting(-0.75)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fastConfig(connect(t, proxy.URL()), "drift", "slow")
	cfg.Timings.Clock = slow
	e, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = e.StopWithContext(context.Background(), leadership.StopOptions{}) })
	events.await(t, 0, wait, "the slow-clock candidate's promotion", promotedOf("slow"))
	probe, _ := spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "drift", "next"))
	awaitLeaderSeen(t, probe, "slow")

	from := events.len()
	proxy.Blackhole()
	cut := time.Now()
	successor := events.await(t, from, wait, "the successor's promotion once the server freed the key", promotedOf("next"))
	if !e.IsLeader() {
		t.Fatalf("the slow leader no longer believes it leads when the successor is promoted (+%v); events: %s",
			successor.at.Sub(cut), events.describe(from))
	}
	demoted := events.await(t, from, 3*wait, "the slow leader's demotion at its own deadline", demotedOf("slow"))
	if !demoted.at.After(successor.at) {
		t.Fatalf("the slow leader demoted at +%v, not after the successor's promotion at +%v", demoted.at.Sub(cut), successor.at.Sub(cut))
	}
	if r := demoted.msg.(*leadership.Demoted).Reason; r != leadership.ReasonRenewDeadline {
		t.Errorf("the slow leader demoted for %v, want %v", r, leadership.ReasonRenewDeadline)
	}
	if e.IsLeader() {
		t.Error("IsLeader after the slow leader demoted")
	}
	t.Logf("slow clock (rate %v): successor promoted at +%v, slow leader demoted at +%v (overlap %v)",
		slow.Rate(), successor.at.Sub(cut), demoted.at.Sub(cut), demoted.at.Sub(successor.at))
	proxy.Heal()
}
