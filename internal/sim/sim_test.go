package sim_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/sim"
	"github.com/batonhq/baton/leadership"
)

var simRuns = flag.Int("sim.runs", 5_000, "runs for TestSimulation")

// TestSimulation is the CI subset of the simulation: it runs the first
// seeds with clocks inside MaxClockDrift and expects no violation, and
// checks that the faults struck and had their effects, so it cannot pass by
// doing nothing.
func TestSimulation(t *testing.T) {
	simulate(t, sim.Options{})
}

// TestSimulationSessions is TestSimulation in session mode; it also
// expects leases taken over after their session ended.
func TestSimulationSessions(t *testing.T) {
	if s := simulate(t, sim.Options{Sessions: true}); s.Takeovers == 0 {
		t.Errorf("no lease was taken over in %d runs", s.Runs)
	}
}

// simulate runs the CI subset with opts and checks it.
func simulate(t *testing.T, opts sim.Options) sim.Summary {
	runs := *simRuns
	if raceEnabled {
		// The race detector makes each step about ten times slower. A fifth
		// of the runs, not a tenth: the first 500 seeds refuse no fenced
		// write since the registry and the work's report are simulated,
		// and the first 1,000 refuse 5.
		runs /= 5
	}
	start := time.Now()
	s := sim.RunMany(1, runs, 2, opts)
	t.Logf("%d runs, %v virtual, %d promotions, %d handovers, worst recovery %v, in %v",
		s.Runs, s.Virtual, s.Promotions, s.Handovers, s.WorstRecovery, time.Since(start).Round(time.Millisecond))
	for _, v := range s.Violations {
		t.Errorf("seed %d: %s", v.Seed, v.Violation)
	}
	for f, n := range s.Faults {
		if n == 0 {
			t.Errorf("no %s fault was injected", sim.Fault(f))
		}
	}
	effects := map[string]int{
		"promotions": s.Promotions, "handovers": s.Handovers, "unknown outcomes": s.Unknown,
		"expiries": s.Expiries, "refused fenced writes": s.Refused, "deadline demotions": s.DeadlineDemotions,
		"claims of offers led": s.ClaimsLed,
	}
	for what, n := range effects {
		if n == 0 {
			t.Errorf("no %s in %d runs: the faults had no effect", what, s.Runs)
		}
	}
	return s
}

// TestDocTimings checks that docs/simulation.md gives the timings the runs
// use, as leadership derives them.
func TestDocTimings(t *testing.T) {
	doc, err := os.ReadFile("../../docs/simulation.md")
	if err != nil {
		t.Fatal(err)
	}
	d := leadership.Config{TTL: 2 * time.Second}.EffectiveTimings()
	want := fmt.Sprintf("(RenewDeadline %v, heartbeats every %v, OpTimeout %v, DisconnectGrace %v, PollInterval %v)",
		d.RenewDeadline, d.HeartbeatInterval, d.OpTimeout, d.DisconnectGrace, d.PollInterval)
	if !strings.Contains(strings.Join(strings.Fields(string(doc)), " "), want) {
		t.Errorf("docs/simulation.md does not say %q", want)
	}
}

// TestReplay runs seeds twice and expects the same trace and result, and
// different seeds to differ.
func TestReplay(t *testing.T) {
	traces := map[uint64]uint64{}
	for seed := uint64(1); seed <= 20; seed++ {
		for _, opts := range []sim.Options{{}, {Drift: 0.5}, {Bug: sim.BugBlindRelease}, {ServerSkew: time.Second}, {Sessions: true}, {Sessions: true, Bug: sim.BugLateAckProof}} {
			a, b := sim.Run(seed, opts), sim.Run(seed, opts)
			if a.Trace != b.Trace || a.Steps != b.Steps || len(a.Violations) != len(b.Violations) {
				t.Fatalf("seed %d %+v: replay differs: trace %x/%x, steps %d/%d", seed, opts, a.Trace, b.Trace, a.Steps, b.Steps)
			}
		}
		r := sim.Run(seed, sim.Options{})
		if other, dup := traces[r.Trace]; dup {
			t.Fatalf("seeds %d and %d have the same trace %x", other, seed, r.Trace)
		}
		traces[r.Trace] = seed
	}
}

// TestSeedsThatFoundBugs replays the runs in which the simulation found a
// bug of the core, each fixed since: a claim released unproven (537374), a
// follower that never campaigned again after its work's wait (5174,
// 569199), and in session mode: an unclaimed offer of ours reclaimed
// without a read-back (307577, 472432), an unproven claim of ours written
// over before the offer's marker could no longer come (144541, 469488,
// 880360), and a candidate that never claimed back a term of ours left
// once its release failed (475702, 507991), and a leader whose reconnect
// was refuted by a free key that never campaigned for it (1222).
func TestSeedsThatFoundBugs(t *testing.T) {
	for _, c := range []struct {
		seed     uint64
		sessions bool
	}{
		{537374, false}, {5174, false}, {569199, false},
		{307577, true}, {472432, true}, {144541, true}, {469488, true}, {880360, true}, {475702, true}, {507991, true}, {1222, true},
	} {
		for _, v := range sim.Run(c.seed, sim.Options{Sessions: c.sessions}).Violations {
			t.Errorf("seed %d (sessions %v): %s", c.seed, c.sessions, v)
		}
	}
}
