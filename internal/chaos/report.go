package chaos

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/batonhq/baton/leadership"
)

// Report is the outcome of one run.
type Report struct {
	Seed       int64
	Topology   Topology
	Candidates int
	// Faults has one entry per fault injected, in order.
	Faults []FaultReport
	// Accepted and Rejected count the fenced writes.
	Accepted, Rejected int
	// LeaderChanges is the number of terms accepted by the resource, less
	// the first.
	LeaderChanges int
	// ReusedRevisions lists each revision held by two tokens (with
	// different nonces) across a crash that lost acknowledged writes.
	ReusedRevisions []string
	// Violations lists every failed check; empty means the run passed.
	Violations []Violation
	// Timeline is what the harness did and saw, with times from the start.
	Timeline []string
	// Terms summarizes each term seen in the fenced writes.
	Terms []string
	// Logs holds the tail of each candidate's output when a check failed or
	// the harness could not carry the run out.
	Logs map[string]string
}

// FaultReport is one injected fault and what followed it.
type FaultReport struct {
	Class  Class
	Victim string // "" when the fault hit no single candidate
	Detail string
	// Duration is from injection to heal (zero for a kill).
	Duration time.Duration
	// Failover is from injection to the first accepted write under a newer
	// term; zero when the term did not change.
	Failover time.Duration
	// Gap is the longest time without an accepted write from injection
	// until the election settled: how long the resource went unserved.
	Gap time.Duration
	// Recovery is from the heal to the start of the next steady window.
	Recovery time.Duration
	// LeaderChanges counts the newer terms accepted until the election
	// settled.
	LeaderChanges int
	// StaleRejected counts the writes the resource refused meanwhile.
	StaleRejected int
	// Overlap is how long the victim still reported leading after the next
	// holder's promotion: expected only of ClassClockDriftBeyond, where a
	// clock beyond MaxClockDrift outlives the lease and fencing alone
	// refuses the stale writes.
	Overlap time.Duration
	// Settled reports that checker L passed; Effective that checker E did.
	Settled, Effective bool
}

func (f FaultReport) summary() string {
	s := fmt.Sprintf("%s; victim %s; failover %v, write gap %v, recovery %v, %d new term(s), %d stale write(s) refused",
		f.Detail, orNone(f.Victim), f.Failover.Round(time.Millisecond), f.Gap.Round(time.Millisecond),
		f.Recovery.Round(time.Millisecond), f.LeaderChanges, f.StaleRejected)
	if f.Overlap > 0 {
		s += fmt.Sprintf("; expected overlap %v (a clock beyond MaxClockDrift)", f.Overlap.Round(time.Millisecond))
	}
	return s
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return len(r.Violations) > 0 }

// String is a readable account of the run; a failed or broken run also
// gets its timeline, terms and candidate output.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, %s, %d candidates: %d writes accepted, %d refused, %d leader changes, %d violations\n",
		r.Seed, r.Topology, r.Candidates, r.Accepted, r.Rejected, r.LeaderChanges, len(r.Violations))
	for _, f := range r.Faults {
		fmt.Fprintf(&b, "  %-18s %s\n", f.Class, f.summary())
	}
	for _, l := range r.ReusedRevisions {
		fmt.Fprintf(&b, "  reused %s\n", l)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "  VIOLATION %s\n", v)
	}
	if !r.Failed() && len(r.Logs) == 0 {
		return b.String()
	}
	b.WriteString("timeline:\n")
	for _, l := range r.Timeline {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("terms (from fenced writes):\n")
	for _, l := range r.Terms {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	ids := make([]string, 0, len(r.Logs))
	for id := range r.Logs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "output of %s:\n%s\n", id, r.Logs[id])
	}
	return b.String()
}

// termLines describes each token seen in writes: holder, first and last
// write, and how many were accepted and refused.
func termLines(l ledger, tl *timeline) []string {
	type term struct {
		candidate   string
		first, last time.Time
		acc, rej    int
	}
	var order []leadership.Token
	terms := make(map[leadership.Token]*term)
	for _, w := range l.writes {
		t, ok := terms[w.Token]
		if !ok {
			t = &term{candidate: w.Candidate, first: w.At}
			terms[w.Token] = t
			order = append(order, w.Token)
		}
		t.last = w.At
		if w.Accepted {
			t.acc++
		} else {
			t.rej++
		}
	}
	out := make([]string, 0, len(order))
	for _, tok := range order {
		t := terms[tok]
		out = append(out, fmt.Sprintf("rev %-4d nonce %s by %-4s writes %s..%s accepted %d refused %d",
			tok.Revision, tok.Nonce, t.candidate, tl.rel(t.first), tl.rel(t.last), t.acc, t.rej))
	}
	return out
}
