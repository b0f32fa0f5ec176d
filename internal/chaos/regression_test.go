package chaos

import (
	"os"
	"strconv"
	"testing"
)

// regressions are seeds that once failed, each kept as a named test.
//
// To add one: run `go run ./internal/chaos/cmd/chaos -runs N -seed S`, take
// the seed of a FAILED line, replay it alone with `-runs 1 -seed <seed> -v`,
// and add an entry here: faults nil replays MixScenario(seed, nil) exactly;
// listing faults narrows the replay to the faults that matter. While the
// bug is open, skip names it; remove skip with the fix.
var regressions = []struct {
	name   string
	seed   int64
	faults []Class
	skip   string
}{
	{
		name:   "latency-create-timeout-stall",
		seed:   36, // 127ms delay, 38ms jitter for 3.65s: fails about 3 runs in 4
		faults: []Class{ClassLatency},
		// Also seen as seed 18 of `chaos -runs 20 -seed 1` (its latency fault).
		// When the lease lapsed under latency, kv.Create over the expiry
		// marker got "wrong last sequence", its read of the marker timed out,
		// and it reported ErrKeyExists: every candidate took the free key
		// for held and waited for good. Fixed by treating a conflict whose
		// create ran out of time as transient, and by campaigning again
		// after a lost race when no holder shows up.
	},
}

func TestRegressions(t *testing.T) {
	for _, r := range regressions {
		t.Run(r.name, func(t *testing.T) {
			if r.skip != "" {
				t.Skip(r.skip)
			}
			sc := Scenario{Seed: r.seed, Faults: r.faults}
			if r.faults == nil {
				var err error
				if sc, err = MixScenario(r.seed, nil); err != nil {
					t.Fatal(err)
				}
			}
			runScenario(t, sc)
		})
	}
}

// TestRandomMixes runs randomized mixes when BATON_CHAOS_RUNS is set (and
// optionally BATON_CHAOS_SEED, default 1); it takes about 15s per run.
func TestRandomMixes(t *testing.T) {
	runs, err := strconv.Atoi(os.Getenv("BATON_CHAOS_RUNS"))
	if err != nil || runs < 1 {
		t.Skip("set BATON_CHAOS_RUNS=N (and BATON_CHAOS_SEED=S) to run N randomized mixes")
	}
	seed := int64(1)
	if s := os.Getenv("BATON_CHAOS_SEED"); s != "" {
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("BATON_CHAOS_SEED=%q: %v", s, err)
		}
	}
	for i := range runs {
		sc, err := MixScenario(seed+int64(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strconv.FormatInt(sc.Seed, 10), func(t *testing.T) { runScenario(t, sc) })
	}
}
