package chaos

import (
	"fmt"
	"io"
	"slices"
)

// Topology is the NATS deployment a run uses.
type Topology string

// The topologies.
const (
	// Single is one JetStream server; the lease bucket has one replica.
	Single Topology = "single"
	// Cluster is a 3-node JetStream cluster; the lease bucket has three
	// replicas.
	Cluster Topology = "cluster"
)

// clusterSize is the number of nodes of a Cluster run.
const clusterSize = 3

// Candidate pool bounds: at least two so a failover is possible, few enough
// for a small machine.
const (
	defaultCandidates = 3
	maxCandidates     = 9
)

// Scenario is one run: a topology, a pool of candidates and the faults to
// inject one after another, each followed by the checks.
type Scenario struct {
	// Seed drives every random choice of the run's plan: fault parameters,
	// victims among equals, churn timing. The interleaving of real processes
	// is not reproducible; the plan is.
	Seed int64
	// Topology defaults to Single, or to Cluster when a fault needs one.
	Topology Topology
	// Candidates is the size of the candidate pool; default 3.
	Candidates int
	// Faults are injected in order.
	Faults []Class
	// Timing defaults to DefaultTiming().
	Timing *Timing
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// DebugCandidates makes candidates log their elections at debug level;
	// the tail of each candidate's output is in a failed run's Report.
	DebugCandidates bool
}

// resolve fills defaults and validates the scenario.
func (sc Scenario) resolve() (Scenario, Timing, error) {
	t := DefaultTiming()
	if sc.Timing != nil {
		t = *sc.Timing
	}
	if sc.Candidates == 0 {
		sc.Candidates = defaultCandidates
	}
	if sc.Log == nil {
		sc.Log = io.Discard
	}
	if sc.Topology == "" {
		sc.Topology = Single
		if slices.ContainsFunc(sc.Faults, func(c Class) bool { return !c.RunsOn(Single) }) {
			sc.Topology = Cluster
		}
	}
	switch {
	case sc.Topology != Single && sc.Topology != Cluster:
		return sc, t, fmt.Errorf("%w: Topology %q is neither %q nor %q", ErrInvalidScenario, sc.Topology, Single, Cluster)
	case sc.Candidates < 2 || sc.Candidates > maxCandidates:
		return sc, t, fmt.Errorf("%w: Candidates %d must be between 2 and %d", ErrInvalidScenario, sc.Candidates, maxCandidates)
	}
	for i, c := range sc.Faults {
		if !c.valid() {
			return sc, t, fmt.Errorf("%w: Faults[%d] %q is not a fault class (want one of %v)", ErrInvalidScenario, i, c, Classes())
		}
		if !c.RunsOn(sc.Topology) {
			return sc, t, fmt.Errorf("%w: Faults[%d] %q cannot run on topology %q", ErrInvalidScenario, i, c, sc.Topology)
		}
	}
	if err := t.validate(); err != nil {
		return sc, t, err
	}
	return sc, t, nil
}
