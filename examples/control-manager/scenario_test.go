package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRunFencesTheStaleLeader plays the scenario and checks the resource's
// record: both terms did work, the second supersedes the first, the
// accepted writes never went back to an older term, and the first leader's
// late write was rejected after the successor had written.
func TestRunFencesTheStaleLeader(t *testing.T) {
	var out bytes.Buffer
	rep, err := run(context.Background(), defaultOptions(), &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if rep.first.IsZero() || rep.second.IsZero() || rep.first.Holder == rep.second.Holder {
		t.Fatalf("terms %v and %v: want two leaders", rep.first, rep.second)
	}
	if !rep.second.Supersedes(rep.first) || rep.second == rep.first {
		t.Fatalf("second term %v does not supersede the first %v", rep.second, rep.first)
	}
	if rep.demotedAfter <= 0 || rep.failover <= rep.demotedAfter {
		t.Errorf("the first leader demoted %v after the cut and the successor was promoted %v after it: want demotion first",
			rep.demotedAfter, rep.failover)
	}
	byTerm := map[uint64]int{}
	for i, w := range rep.accepted {
		byTerm[w.token.Revision]++
		if i > 0 && !w.token.Supersedes(rep.accepted[i-1].token) {
			t.Errorf("accepted write %d (%v) went back from %v", i, w.token, rep.accepted[i-1].token)
		}
	}
	if byTerm[rep.first.Revision] < warmWrites || byTerm[rep.second.Revision] < 2*successorWrites {
		t.Errorf("accepted writes per term %v: want at least %d in term %d and %d in term %d",
			byTerm, warmWrites, rep.first.Revision, 2*successorWrites, rep.second.Revision)
	}
	firstOfSecond := -1
	for i, w := range rep.accepted {
		if w.token == rep.second {
			firstOfSecond = i
			break
		}
	}
	late := 0
	for _, w := range rep.rejected {
		if w.token == rep.first && firstOfSecond >= 0 && w.at.After(rep.accepted[firstOfSecond].at) {
			late++
		}
	}
	if late == 0 {
		t.Fatalf("no write of the first term was rejected after the second term wrote; rejected: %v", rep.rejected)
	}
	if !strings.Contains(out.String(), "REJECTED, stale token") {
		t.Error("the output does not show the rejection")
	}
}

// TestRunRejectsBadOptions checks that bad flags are refused before
// anything starts, naming the flag.
func TestRunRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*options)
		flag string
	}{
		{"one manager", func(o *options) { o.managers = 1 }, "-managers"},
		{"fractional ttl", func(o *options) { o.ttl = 2500 * time.Millisecond }, "-ttl"},
		{"zero interval", func(o *options) { o.interval = 0 }, "-interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := defaultOptions()
			tc.edit(&opts)
			_, err := run(context.Background(), opts, &bytes.Buffer{})
			if !errors.Is(err, errInvalidOptions) || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("run: err = %v, want errInvalidOptions naming %s", err, tc.flag)
			}
		})
	}
}
