package chaos

import (
	"strings"
	"testing"
	"time"
)

func TestSummaryTable(t *testing.T) {
	s := newSummary(7)
	s.add(Scenario{Seed: 7}, &Report{Seed: 7, Accepted: 10, Rejected: 1, LeaderChanges: 2, Faults: []FaultReport{
		{Class: ClassKill, Failover: 2300 * time.Millisecond, Gap: 2100 * time.Millisecond, LeaderChanges: 1, Settled: true, Effective: true},
	}}, nil)
	s.add(Scenario{Seed: 8, Faults: []Class{ClassPause}}, &Report{Seed: 8, Accepted: 5, Faults: []FaultReport{
		{Class: ClassPause, Failover: time.Second, StaleRejected: 1, Settled: true},
	}, Violations: []Violation{{Checker: CheckEffect, Fault: ClassPause, Detail: "nothing\nhappened"}}}, nil)
	var b strings.Builder
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"runs", "15", "2.3s (seed 7, kill)",
		"FAILED seed 8", "E [pause]: nothing ...",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !s.Failed() || s.Violations != 1 || s.stats(ClassPause).Ineffective != 1 || s.stats(ClassKill).Injected != 1 {
		t.Fatalf("summary %+v", s)
	}
}
