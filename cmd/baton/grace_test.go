package main

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/leadership"
)

func TestDefaultGraceFitsEveryTTLFromTwoSeconds(t *testing.T) {
	if got := defaultGrace(leadership.DefaultTTL); got != 2*time.Second {
		t.Errorf("default grace at the default TTL: %v, want 2s", got)
	}
	for ttl := 2 * time.Second; ttl <= 2*time.Minute; ttl += time.Second {
		if err := checkGrace(ttl, defaultGrace(ttl), true); err != nil {
			t.Errorf("--ttl %v: %v", ttl, err)
		}
	}
	// The budget is taken out of the lease: the deadline and the time the
	// work takes to stop together stay under what the server allows.
	tm := leadership.Config{TTL: leadership.DefaultTTL, Timings: leadership.Timings{WorkStopBudget: workStopBudget(defaultGrace(leadership.DefaultTTL))}}.EffectiveTimings()
	ceiling := time.Duration(float64(leadership.DefaultTTL-tm.MaxServerClockSkew)*(1-2*tm.MaxClockDrift)) - leadership.SafetyMargin
	if tm.WorkStopBudget != 2*time.Second+killAllowance || tm.RenewDeadline+tm.WorkStopBudget > ceiling {
		t.Errorf("at the defaults: deadline %v + budget %v, want the budget 2.25s and the sum at most %v",
			tm.RenewDeadline, tm.WorkStopBudget, ceiling)
	}
}

func TestGraceThatDoesNotFitIsRefusedWithTheLargestThatDoes(t *testing.T) {
	largest, ok := largestGrace(2 * time.Second)
	if !ok || !graceFits(2*time.Second, largest) || graceFits(2*time.Second, largest+time.Millisecond) {
		t.Fatalf("largest grace at --ttl 2s: %v (%v): it must fit, and 1ms more must not", largest, ok)
	}
	err := checkGrace(2*time.Second, 3*time.Second, false)
	for _, want := range []string{"--grace 3s ", "--ttl 2s", "at most --grace " + largest.String() + " fits"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--ttl 2s --grace 3s: %v, want it to say %q", err, want)
		}
	}
	err = checkGrace(time.Second, defaultGrace(time.Second), true)
	if err == nil || !strings.Contains(err.Error(), "--grace's default 200ms") || !strings.Contains(err.Error(), "--ttl 1s") {
		t.Errorf("--ttl 1s with the default grace: %v, want a refusal naming the default and --ttl", err)
	}
	if _, ok := largestGrace(time.Second); !ok {
		t.Errorf("no grace fits --ttl 1s, want a short one to")
	}
}

func TestRunHelpStatesTheDefaultTimings(t *testing.T) {
	grace := defaultGrace(leadership.DefaultTTL)
	tm := leadership.Config{TTL: leadership.DefaultTTL, Timings: leadership.Timings{WorkStopBudget: workStopBudget(grace)}}.EffectiveTimings()
	help := strings.Join(strings.Fields(runHelp), " ")
	for _, want := range []string{
		"(--ttl " + leadership.DefaultTTL.String() + ", --grace " + grace.String() + ")",
		killAllowance.String() + " for SIGKILL",
		"demotes itself " + tm.RenewDeadline.String() + " after",
		"exited by " + (tm.RenewDeadline + tm.WorkStopBudget).String(),
		"no sooner than " + leadership.DefaultTTL.String(),
	} {
		if !strings.Contains(help, want) {
			t.Errorf("baton run --help does not say %q", want)
		}
	}
}
