package chaos

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScenarioValidation(t *testing.T) {
	badTiming := DefaultTiming()
	badTiming.RenewDeadline = badTiming.TTL
	noSettle := DefaultTiming()
	noSettle.Settle = time.Millisecond
	tests := map[string]struct {
		sc   Scenario
		want string
	}{
		"unknown topology":        {Scenario{Topology: "ring"}, "Topology"},
		"one candidate":           {Scenario{Candidates: 1}, "Candidates"},
		"too many candidates":     {Scenario{Candidates: 10}, "Candidates"},
		"unknown fault":           {Scenario{Faults: []Class{"meteor"}}, "Faults[0]"},
		"fault on wrong topology": {Scenario{Topology: Cluster, Faults: []Class{ClassServerRestart}}, "cannot run on"},
		"election timing":         {Scenario{Timing: &badTiming}, "RenewDeadline"},
		"harness timing":          {Scenario{Timing: &noSettle}, "Settle"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.sc)
			if !errors.Is(err, ErrInvalidScenario) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v, want ErrInvalidScenario naming %s", err, tc.want)
			}
		})
	}
}

func TestScenarioDefaults(t *testing.T) {
	sc, tm, err := Scenario{Faults: []Class{ClassPartition}}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if sc.Topology != Cluster || sc.Candidates != defaultCandidates || tm != DefaultTiming() {
		t.Fatalf("resolved %+v with %+v, want a cluster of %d candidates with DefaultTiming", sc, tm, defaultCandidates)
	}
	if sc, _, _ := (Scenario{Faults: []Class{ClassServerKill}}).resolve(); sc.Topology != ProcCluster {
		t.Fatalf("server-kill: topology %q, want %q", sc.Topology, ProcCluster)
	}
	if _, err := RunMixes(context.Background(), MixOptions{Runs: 1, Parallel: -1}); !errors.Is(err, ErrInvalidScenario) {
		t.Fatalf("negative Parallel: %v, want ErrInvalidScenario", err)
	}
	if sc, _, _ := (Scenario{}).resolve(); sc.Topology != Single {
		t.Fatalf("no faults: topology %q, want %q", sc.Topology, Single)
	}
}

func TestMixScenario(t *testing.T) {
	for seed := range int64(50) {
		sc, err := MixScenario(seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := MixScenario(seed, nil)
		if !slices.Equal(sc.Faults, again.Faults) || sc.Topology != again.Topology || sc.Candidates != again.Candidates {
			t.Fatalf("seed %d gave %+v, then %+v", seed, sc, again)
		}
		if n := len(sc.Faults); n < mixMinFaults || n > mixMinFaults+mixMaxExtra {
			t.Fatalf("seed %d: %d faults", seed, n)
		}
		if _, _, err := sc.resolve(); err != nil {
			t.Fatalf("seed %d gave an invalid scenario: %v", seed, err)
		}
	}
	sc, err := MixScenario(3, []Class{ClassServerRestart})
	if err != nil || sc.Topology != Single || slices.ContainsFunc(sc.Faults, func(c Class) bool { return c != ClassServerRestart }) {
		t.Fatalf("restricted to server-restart: %+v, %v", sc, err)
	}
	if _, err := MixScenario(1, []Class{"meteor"}); !errors.Is(err, ErrInvalidScenario) {
		t.Fatalf("unknown class: %v, want ErrInvalidScenario", err)
	}
	if _, err := RunMixes(context.Background(), MixOptions{}); !errors.Is(err, ErrInvalidScenario) {
		t.Fatalf("zero runs: %v, want ErrInvalidScenario", err)
	}
}

func TestClassesRunSomewhere(t *testing.T) {
	for _, c := range Classes() {
		if !slices.ContainsFunc(topologies, c.RunsOn) {
			t.Errorf("class %s runs on no topology", c)
		}
	}
	if Class("meteor").RunsOn(Single) {
		t.Error("an unknown class runs")
	}
}
