package sim

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Summary adds up the results of many runs.
type Summary struct {
	// Runs counts the runs; Virtual is the virtual time they simulated.
	Runs    int
	Virtual time.Duration
	// Steps, Promotions and Handovers add up the runs' counts.
	Steps, Promotions, Handovers int
	// Faults, Unknown, Expiries, Erased, Refused and DeadlineDemotions add
	// up what the faults were and did.
	Faults                                                [numFaults]int
	Unknown, Expiries, Erased, Refused, DeadlineDemotions int
	// Takeovers adds up the leases taken over after their session ended.
	Takeovers int
	// ClaimsLed, ClaimsUnproven and ClaimsGone add up the claims of offers
	// read back, by what the core made of them.
	ClaimsLed, ClaimsUnproven, ClaimsGone int
	// TwoLeaders adds up the runs' counts of instants with two leaders.
	TwoLeaders int
	// WorstRecovery is the longest a run went without a leader after its
	// faults healed.
	WorstRecovery time.Duration
	// ByChecker counts the runs that failed each checker.
	ByChecker map[Checker]int
	// Failed counts the runs with a violation; Violations holds the first
	// few, each with its seed, in seed order.
	Failed     int
	Violations []SeedViolation
	// FirstFailure is the smallest seed that failed (valid when Failed > 0).
	FirstFailure uint64
}

// SeedViolation is a violation and the seed that replays it.
type SeedViolation struct {
	Seed uint64
	Violation
}

// keptViolations bounds Summary.Violations.
const keptViolations = 20

// add folds one run into the summary.
func (s *Summary) add(r Result) {
	s.Runs++
	s.Virtual += r.Virtual
	s.Steps += r.Steps
	s.Promotions += r.Promotions
	s.Handovers += r.Handovers
	for i, n := range r.Faults {
		s.Faults[i] += n
	}
	s.Unknown += r.Unknown
	s.Expiries += r.Expiries
	s.Erased += r.Erased
	s.Refused += r.Refused
	s.DeadlineDemotions += r.DeadlineDemotions
	s.Takeovers += r.Takeovers
	s.ClaimsLed += r.ClaimsLed
	s.ClaimsUnproven += r.ClaimsUnproven
	s.ClaimsGone += r.ClaimsGone
	s.TwoLeaders += r.TwoLeaders
	s.WorstRecovery = max(s.WorstRecovery, r.Recovery)
	if len(r.Violations) == 0 {
		return
	}
	if s.Failed == 0 || r.Seed < s.FirstFailure {
		s.FirstFailure = r.Seed
	}
	s.Failed++
	if s.ByChecker == nil {
		s.ByChecker = map[Checker]int{}
	}
	for _, v := range r.Violations {
		s.ByChecker[v.Checker]++
		s.Violations = append(s.Violations, SeedViolation{Seed: r.Seed, Violation: v})
	}
}

// merge folds another summary into s.
func (s *Summary) merge(o Summary) {
	s.Runs += o.Runs
	s.Virtual += o.Virtual
	s.Steps += o.Steps
	s.Promotions += o.Promotions
	s.Handovers += o.Handovers
	for i, n := range o.Faults {
		s.Faults[i] += n
	}
	s.Unknown += o.Unknown
	s.Expiries += o.Expiries
	s.Erased += o.Erased
	s.Refused += o.Refused
	s.DeadlineDemotions += o.DeadlineDemotions
	s.Takeovers += o.Takeovers
	s.ClaimsLed += o.ClaimsLed
	s.ClaimsUnproven += o.ClaimsUnproven
	s.ClaimsGone += o.ClaimsGone
	s.TwoLeaders += o.TwoLeaders
	s.WorstRecovery = max(s.WorstRecovery, o.WorstRecovery)
	if o.Failed > 0 && (s.Failed == 0 || o.FirstFailure < s.FirstFailure) {
		s.FirstFailure = o.FirstFailure
	}
	s.Failed += o.Failed
	for ch, n := range o.ByChecker {
		if s.ByChecker == nil {
			s.ByChecker = map[Checker]int{}
		}
		s.ByChecker[ch] += n
	}
	s.Violations = append(s.Violations, o.Violations...)
}

// RunMany runs seeds first .. first+runs-1 on workers goroutines and adds
// up their results. The summary does not depend on workers: the
// violations kept are the first 20 by seed.
func RunMany(first uint64, runs, workers int, opts Options) Summary {
	workers = max(1, min(workers, runs))
	var next atomic.Uint64
	parts := make([]Summary, workers)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			for {
				n := next.Add(1) - 1
				if n >= uint64(runs) {
					return
				}
				parts[i].add(Run(first+n, opts))
			}
		})
	}
	wg.Wait()
	var s Summary
	for _, p := range parts {
		s.merge(p)
	}
	slices.SortStableFunc(s.Violations, func(a, b SeedViolation) int { return cmp.Compare(a.Seed, b.Seed) })
	if len(s.Violations) > keptViolations {
		s.Violations = s.Violations[:keptViolations]
	}
	return s
}
