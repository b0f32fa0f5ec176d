package fsm

import (
	"flag"
	"testing"
	"time"
)

var propertyRuns = flag.Int("core.runs", 100_000, "random input sequences for TestCoreProperties")

// TestCoreProperties drives the decision core with random input sequences
// under virtual time and checks, after every step: at most one term held;
// Promoted and Demoted alternate and pair up per term; a leader never stays
// past its deadline on its own clock; no acquire while holding a lease; every
// release uses the newest acknowledged revision of our lease, and none is sent
// while a renewal of it is in flight (but a forced stop, which cannot wait);
// every Demoted carries a reason; an offer of the lease is written only after
// the Demoted of its term, at its newest revision, to someone else; an
// acquisition over a revision is only over a marker or an offer naming us.
// Each sequence ends with a graceful stop that
// must finish with no term left open. It also checks that the sequences reach
// every row.
func TestCoreProperties(t *testing.T) {
	runs := *propertyRuns
	if raceEnabled {
		runs /= 10 // the race detector makes each step about ten times slower
	}
	const steps = 60
	hits := map[int]int{}
	promotions := 0
	start := time.Now()
	for seed := range uint64(runs) {
		w := newWorld(t, seed)
		w.t.AwaitWorkStopped = seed%3 == 1 // a third of the runs wait for the parent's report
		w.start()
		for i := 0; i < steps && !w.finished; i++ {
			w.randomStep()
		}
		if !w.finished {
			w.stopAndDrain()
		}
		for i, n := range w.hits {
			hits[i] += n
		}
		promotions += w.promoted
	}
	t.Logf("%d sequences of up to %d random inputs, %d promotions, in %v", runs, steps, promotions, time.Since(start).Round(time.Millisecond))
	rows := Rows()
	for i, r := range rows {
		if hits[i] == 0 {
			t.Errorf("row %d (%v, %s, %q) was never applied", i, r.Phases, r.Input, r.When)
		}
	}
}
