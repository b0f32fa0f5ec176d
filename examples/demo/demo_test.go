package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRunShowsLeadersAndFailovers runs the demo for a few seconds with a
// fault every 2s and checks its output: leaders were promoted, at least one
// failover was measured, and no two candidates led a role at once. goleak
// (TestMain) checks that everything it started was stopped.
func TestRunShowsLeadersAndFailovers(t *testing.T) {
	opts := defaultOptions()
	opts.candidates = 3
	opts.every = 2 * time.Second
	opts.duration = 8 * time.Second
	var out bytes.Buffer
	if err := run(context.Background(), opts, &out, nil); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	text := out.String()
	t.Log("\n" + text)
	for _, role := range roles {
		if !regexp.MustCompile(role + ` +node-\d+ promoted, term \d+`).MatchString(text) {
			t.Errorf("no promotion for %s in the output", role)
		}
	}
	failover := regexp.MustCompile(`failover (\d+(\.\d+)?(µs|ms|s)) after (kill|stop) of node-\d+`)
	m := failover.FindStringSubmatch(text)
	if m == nil {
		t.Fatal("no measured failover in the output")
	}
	if d, err := time.ParseDuration(m[1]); err != nil || d <= 0 {
		t.Errorf("failover time %q is not a positive duration (%v)", m[1], err)
	}
	if !strings.Contains(text, "overlapping leaders: 0") {
		t.Error("the summary does not report zero overlapping leaders")
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
		{"fractional ttl", func(o *options) { o.ttl = 1500 * time.Millisecond }, "-ttl"},
		{"no candidates", func(o *options) { o.candidates = 0 }, "-candidates"},
		{"negative every", func(o *options) { o.every = -time.Second }, "-every"},
		{"negative duration", func(o *options) { o.duration = -time.Second }, "-duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := defaultOptions()
			tc.edit(&opts)
			err := run(context.Background(), opts, &bytes.Buffer{}, nil)
			if !errors.Is(err, errInvalidOptions) || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("run: err = %v, want errInvalidOptions naming %s", err, tc.flag)
			}
		})
	}
}

// TestConfigPassesValidation checks that a candidate's config, for every
// TTL the demo accepts, satisfies the election's own validation.
func TestConfigPassesValidation(t *testing.T) {
	for _, ttl := range []time.Duration{time.Second, 2 * time.Second, 10 * time.Second, time.Minute} {
		cfg := config(ttl, "scheduler", "node-1", 1)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "Conn") {
			t.Fatalf("ttl %v: Validate = %v, want only the missing Conn refused", ttl, err)
		}
	}
}
