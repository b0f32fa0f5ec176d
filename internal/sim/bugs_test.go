package sim_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/sim"
)

// firstFailure runs seeds from 1 until one fails want, at most limit of
// them, and returns how many ran and the failing result. A run that fails
// only other checkers is passed over: TestSimulation answers for those.
func firstFailure(limit int, opts sim.Options, want sim.Checker) (int, sim.Result, bool) {
	for n := 1; n <= limit; n++ {
		r := sim.Run(uint64(n), opts)
		for _, v := range r.Violations {
			if v.Checker == want {
				return n, r, true
			}
		}
	}
	return limit, sim.Result{}, false
}

// TestFindsInjectedBugs shows that the checkers catch an interpreter that
// carries out effects wrongly, within the stated number of runs from seed
// 1 (docs/simulation.md records how many each took).
func TestFindsInjectedBugs(t *testing.T) {
	cases := []struct {
		bug   sim.Bug
		limit int
		want  sim.Checker
	}{
		// ack-deadline is not here: the core refuses a renewal whose reply
		// is handled after the lease's deadline, which also refuses the late
		// replies this bug needed; it is left to the command
		// (docs/simulation.md).
		{sim.BugBlindRelease, 10_000, sim.CheckLease},
		{sim.BugRenewDropsTTL, 10, sim.CheckLiveness},
	}
	for _, c := range cases {
		t.Run(c.bug.String(), func(t *testing.T) {
			t.Parallel()
			findBug(t, c.limit, sim.Options{Bug: c.bug}, c.want)
		})
	}
}

// TestFindsInjectedSessionBugs is TestFindsInjectedBugs for the bugs of
// session mode. late-ack-proof is found here: without sessions a renewal
// acknowledged within OpTimeout of its send was applied before the message
// it replaced could expire, however late its answer is handled, so counting
// it breaks nothing the checkers see (docs/simulation.md).
func TestFindsInjectedSessionBugs(t *testing.T) {
	cases := []struct {
		bug   sim.Bug
		limit int
		want  sim.Checker
	}{
		{sim.BugUnprovenRenewal, 200, sim.CheckLease},
		{sim.BugTakeoverUnchecked, 10, sim.CheckLease},
		{sim.BugNoOurs, 500, sim.CheckLiveness},
		{sim.BugLateAckProof, 100, sim.CheckLease},
		{sim.BugUnhealthyHolds, 1_000, sim.CheckLiveness},
	}
	for _, c := range cases {
		t.Run(c.bug.String(), func(t *testing.T) {
			t.Parallel()
			findBug(t, c.limit, sim.Options{Bug: c.bug, Sessions: true}, c.want)
		})
	}
}

// findBug expects a violation of want within limit runs from seed 1.
func findBug(t *testing.T, limit int, opts sim.Options, want sim.Checker) {
	t.Helper()
	n, r, ok := firstFailure(limit, opts, want)
	if !ok {
		t.Fatalf("no violation of %s in %d runs", want, limit)
	}
	for _, v := range r.Violations {
		t.Logf("run %d (seed %d): %s", n, r.Seed, v)
	}
}

// TestDriftBeyondBoundBreaks shows what the deadline inequality is for:
// with clocks drifting up to 50%, far beyond MaxClockDrift, a leader's
// deadline outlasts its lease on the server.
func TestDriftBeyondBoundBreaks(t *testing.T) {
	beyondBound(t, sim.Options{Drift: 0.5})
}

// TestServerSkewBeyondBoundBreaks is TestDriftBeyondBoundBreaks for the
// servers' wall clocks: 1.5s apart, far beyond the MaxServerClockSkew the
// timings allow for, a node may expire a leader's key before its deadline.
func TestServerSkewBeyondBoundBreaks(t *testing.T) {
	beyondBound(t, sim.Options{ServerSkew: 1500 * time.Millisecond})
}

// beyondBound expects a lease violation (S) within 50 runs with opts.
func beyondBound(t *testing.T, opts sim.Options) {
	t.Helper()
	n, r, ok := firstFailure(50, opts, sim.CheckLease)
	if !ok {
		t.Fatalf("no lease violation (S) in 50 runs with %+v", opts)
	}
	for _, v := range r.Violations {
		t.Logf("run %d (seed %d): %s", n, r.Seed, v)
	}
}
