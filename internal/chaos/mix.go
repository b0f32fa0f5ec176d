package chaos

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
)

// Mix sizes: each randomized run injects a few faults into a small pool.
const (
	mixMinFaults     = 2
	mixMaxExtra      = 2
	mixMinCandidates = 3
	mixMaxExtraCands = 1
)

// mixStream keeps a mix's plan independent of the random draws of its run.
const mixStream = 0x313

// MixScenario returns the randomized scenario of seed: a topology, a pool
// of three or four candidates and two to four faults drawn from classes
// (every class when empty) that can run on that topology. The same seed
// always gives the same scenario, so a failing seed can be replayed.
func MixScenario(seed int64, classes []Class) (Scenario, error) {
	if len(classes) == 0 {
		classes = Classes()
	}
	for _, c := range classes {
		if !c.valid() {
			return Scenario{}, fmt.Errorf("%w: %q is not a fault class (want one of %v)", ErrInvalidScenario, c, Classes())
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), mixStream))
	var usableTopos []Topology
	for _, t := range topologies {
		if slices.ContainsFunc(classes, func(c Class) bool { return c.RunsOn(t) }) {
			usableTopos = append(usableTopos, t)
		}
	}
	topo := usableTopos[rng.IntN(len(usableTopos))]
	var usable []Class
	for _, c := range classes {
		if c.RunsOn(topo) {
			usable = append(usable, c)
		}
	}
	sc := Scenario{Seed: seed, Topology: topo, Candidates: mixMinCandidates + rng.IntN(mixMaxExtraCands+1)}
	for range mixMinFaults + rng.IntN(mixMaxExtra+1) {
		sc.Faults = append(sc.Faults, usable[rng.IntN(len(usable))])
	}
	return sc, nil
}

// MixOptions configure RunMixes.
type MixOptions struct {
	// Runs is the number of randomized runs; run i uses seed Seed+i.
	Runs int
	Seed int64
	// Parallel is how many runs go on at once; 0 or 1 runs them one after
	// another. A run mostly waits (for TTLs, raft elections, candidates),
	// so a few at once use a small machine better; each run has its own
	// servers, ports, resource and candidates.
	Parallel int
	// Classes restricts the faults drawn; empty means every class.
	Classes []Class
	// Timing defaults to DefaultTiming().
	Timing *Timing
	// Log receives every run's progress lines; nil discards them.
	Log io.Writer
	// DebugCandidates is passed to every Scenario.
	DebugCandidates bool
	// OnRun, when set, is called after each run with its report (nil if
	// the run could not be carried out) and error. Calls never overlap;
	// with Parallel above 1 they come in the order runs finish.
	OnRun func(sc Scenario, rep *Report, err error)
}

// RunMixes runs opts.Runs randomized scenarios, opts.Parallel at a time, and
// sums them up. It stops early only when ctx ends; a run that fails its
// checks or cannot be carried out is recorded in the Summary.
func RunMixes(ctx context.Context, opts MixOptions) (*Summary, error) {
	if opts.Runs < 1 {
		return nil, fmt.Errorf("%w: Runs %d must be at least 1", ErrInvalidScenario, opts.Runs)
	}
	if opts.Parallel < 0 {
		return nil, fmt.Errorf("%w: Parallel %d is negative", ErrInvalidScenario, opts.Parallel)
	}
	scs := make([]Scenario, opts.Runs)
	for i := range scs {
		sc, err := MixScenario(opts.Seed+int64(i), opts.Classes)
		if err != nil {
			return nil, err
		}
		sc.Timing, sc.Log, sc.DebugCandidates = opts.Timing, opts.Log, opts.DebugCandidates
		scs[i] = sc
	}
	sum := newSummary(opts.Seed)
	var mu sync.Mutex // guards sum and serializes OnRun
	next := make(chan Scenario)
	var wg sync.WaitGroup
	for range max(opts.Parallel, 1) {
		wg.Go(func() {
			for sc := range next {
				rep, err := Run(ctx, sc)
				if ctx.Err() != nil {
					continue // a run cut short proves nothing
				}
				mu.Lock()
				sum.add(sc, rep, err)
				if opts.OnRun != nil {
					opts.OnRun(sc, rep, err)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, sc := range scs {
		select {
		case next <- sc:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	sum.sortFailures()
	return sum, nil
}
