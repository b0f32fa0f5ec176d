package chaos

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Summary adds up the runs of RunMixes.
type Summary struct {
	// Runs counts the runs carried out, including failed ones.
	Runs int
	// FirstSeed is the seed of the first run.
	FirstSeed int64
	// Classes has one entry per fault class, in the order of Classes().
	Classes []ClassStats
	// Accepted and Rejected count fenced writes over all runs.
	Accepted, Rejected int
	// LeaderChanges counts terms after the first, over all runs.
	LeaderChanges int
	// Violations counts failed checks; Errors counts runs the harness could
	// not carry out.
	Violations, Errors int
	// WorstFailover is the longest time from a fault to a newer term's
	// first accepted write; WorstFailoverAt names the run and fault.
	WorstFailover   time.Duration
	WorstFailoverAt string
	// WorstGap is the longest time the resource got no accepted write
	// after a fault; WorstGapAt names the run and fault.
	WorstGap   time.Duration
	WorstGapAt string
	// Failures lists the runs that failed, with their reports.
	Failures []Failure
}

// ClassStats sums up one fault class over the runs.
type ClassStats struct {
	Class         Class
	Injected      int
	Ineffective   int // checker E failed
	Unsettled     int // checker L failed
	LeaderChanges int
	StaleRejected int
	WorstFailover time.Duration
	WorstGap      time.Duration
}

// Failure is one run that failed its checks or could not be carried out.
type Failure struct {
	Scenario Scenario
	Report   *Report // nil when the run could not start
	Err      error
}

func newSummary(seed int64) *Summary {
	s := &Summary{FirstSeed: seed}
	for _, c := range Classes() {
		s.Classes = append(s.Classes, ClassStats{Class: c})
	}
	return s
}

// Failed reports whether any run failed.
func (s *Summary) Failed() bool { return len(s.Failures) > 0 }

func (s *Summary) add(sc Scenario, rep *Report, err error) {
	s.Runs++
	if err != nil {
		s.Errors++
	}
	if err != nil || rep != nil && rep.Failed() {
		s.Failures = append(s.Failures, Failure{Scenario: sc, Report: rep, Err: err})
	}
	if rep == nil {
		return
	}
	s.Accepted += rep.Accepted
	s.Rejected += rep.Rejected
	s.LeaderChanges += rep.LeaderChanges
	s.Violations += len(rep.Violations)
	for _, f := range rep.Faults {
		cs := s.stats(f.Class)
		cs.Injected++
		cs.LeaderChanges += f.LeaderChanges
		cs.StaleRejected += f.StaleRejected
		cs.WorstFailover = max(cs.WorstFailover, f.Failover)
		cs.WorstGap = max(cs.WorstGap, f.Gap)
		if !f.Effective {
			cs.Ineffective++
		}
		if !f.Settled {
			cs.Unsettled++
		}
		if f.Failover > s.WorstFailover {
			s.WorstFailover = f.Failover
			s.WorstFailoverAt = fmt.Sprintf("seed %d, %s", rep.Seed, f.Class)
		}
		if f.Gap > s.WorstGap {
			s.WorstGap = f.Gap
			s.WorstGapAt = fmt.Sprintf("seed %d, %s", rep.Seed, f.Class)
		}
	}
}

// sortFailures puts the failures in seed order, whatever order parallel
// runs finished in.
func (s *Summary) sortFailures() {
	slices.SortFunc(s.Failures, func(a, b Failure) int { return cmp.Compare(a.Scenario.Seed, b.Scenario.Seed) })
}

func (s *Summary) stats(c Class) *ClassStats {
	for i := range s.Classes {
		if s.Classes[i].Class == c {
			return &s.Classes[i]
		}
	}
	s.Classes = append(s.Classes, ClassStats{Class: c})
	return &s.Classes[len(s.Classes)-1]
}

// WriteTable writes the summary as a table, followed by every failing
// seed with its violations.
func (s *Summary) WriteTable(out io.Writer) error {
	w := &errWriter{w: out}
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "runs\tfirst seed\twrites accepted\twrites refused\tleader changes\tviolations\tharness errors\tworst failover\tworst write gap\n")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%v\t%v\n", s.Runs, s.FirstSeed, s.Accepted, s.Rejected,
		s.LeaderChanges, s.Violations, s.Errors, ms(s.WorstFailover), ms(s.WorstGap))
	_ = tw.Flush() // an error is kept by w
	fmt.Fprintln(w)
	fmt.Fprintf(tw, "fault class\tinjected\tno effect (E)\tnot settled (L)\tnew terms\tstale refused\tworst failover\tworst write gap\n")
	for _, c := range s.Classes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%v\t%v\n", c.Class, c.Injected, c.Ineffective, c.Unsettled,
			c.LeaderChanges, c.StaleRejected, ms(c.WorstFailover), ms(c.WorstGap))
	}
	_ = tw.Flush()
	if s.WorstFailoverAt != "" {
		fmt.Fprintf(w, "worst failover (fault to a newer term's first accepted write): %v (%s)\n", ms(s.WorstFailover), s.WorstFailoverAt)
	}
	if s.WorstGapAt != "" {
		fmt.Fprintf(w, "worst write gap (longest time without an accepted write): %v (%s)\n", ms(s.WorstGap), s.WorstGapAt)
	}
	for _, f := range s.Failures {
		fmt.Fprintf(w, "FAILED seed %d (%s, %d candidates, faults %v)\n", f.Scenario.Seed, f.Scenario.Topology, f.Scenario.Candidates, f.Scenario.Faults)
		if f.Err != nil {
			fmt.Fprintf(w, "  harness error: %v\n", f.Err)
		}
		if f.Report != nil {
			for _, v := range f.Report.Violations {
				fmt.Fprintf(w, "  %s\n", firstLine(v.String()))
			}
		}
	}
	return w.err
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// errWriter keeps the first write error, so a table is written without
// checking every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) Write(p []byte) (int, error) {
	if ew.err != nil {
		return 0, ew.err
	}
	n, err := ew.w.Write(p)
	ew.err = err
	return n, err
}
