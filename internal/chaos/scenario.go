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
	// Cluster is a 3-node JetStream cluster of servers embedded in the
	// harness; the lease bucket has three replicas.
	Cluster Topology = "cluster"
	// ProcCluster is a 3-node cluster of nats-server processes with a
	// fault proxy on every route, at nats-server's default sync interval
	// (2 minutes): an acknowledged write may not be on disk yet.
	ProcCluster Topology = "proc-cluster"
	// ProcClusterSync is ProcCluster with "sync_interval: always": every
	// write is synced to disk before it is acknowledged.
	ProcClusterSync Topology = "proc-cluster-sync"
)

// topologies lists every topology, in the order a scenario without one
// picks the first that runs all its faults.
var topologies = []Topology{Single, Cluster, ProcCluster, ProcClusterSync}

// clustered reports whether t runs a 3-node cluster.
func (t Topology) clustered() bool { return t != Single }

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
	// Topology defaults to the first of Single, Cluster and ProcCluster on
	// which every fault can run.
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
		for _, topo := range topologies {
			if !slices.ContainsFunc(sc.Faults, func(c Class) bool { return !c.RunsOn(topo) }) {
				sc.Topology = topo
				break
			}
		}
	}
	switch {
	case !slices.Contains(topologies, sc.Topology):
		return sc, t, fmt.Errorf("%w: Topology %q is not one of %v", ErrInvalidScenario, sc.Topology, topologies)
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
