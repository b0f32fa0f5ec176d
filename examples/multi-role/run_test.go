package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// runTimeout bounds a whole run in the tests.
const runTimeout = 60 * time.Second

// runExample runs the example to completion and returns its output lines.
func runExample(t *testing.T, opts options) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, opts); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	if ctx.Err() != nil {
		t.Fatalf("run did not finish within %v; output:\n%s", runTimeout, out.String())
	}
	return strings.Split(strings.TrimSpace(out.String()), "\n")
}

// leadersLines returns the parsed "leaders:" lines with their positions.
func leadersLines(t *testing.T, lines []string) ([]map[string]string, []int) {
	t.Helper()
	var all []map[string]string
	var at []int
	for i, line := range lines {
		rest, ok := strings.CutPrefix(line, "leaders: ")
		if !ok {
			continue
		}
		leaders := map[string]string{}
		for _, pair := range strings.Fields(rest) {
			role, id, _ := strings.Cut(pair, "=")
			leaders[role] = id
		}
		all = append(all, leaders)
		at = append(at, i)
	}
	return all, at
}

// indexFrom is the index of the first line at or after from equal to want,
// or -1.
func indexFrom(lines []string, from int, want string) int {
	if i := slices.Index(lines[from:], want); i >= 0 {
		return from + i
	}
	return -1
}

func TestRunShowsLeadersAndTheCascade(t *testing.T) {
	srv := natstest.RunServer(t)
	lines := runExample(t, options{natsURL: srv.URL(), instances: 3, duration: time.Millisecond})
	output := strings.Join(lines, "\n")

	all, at := leadersLines(t, lines)
	if len(all) != 2 {
		t.Fatalf("want leaders printed twice, before and after the cascade; output:\n%s", output)
	}
	before, after := all[0], all[1]
	for _, leaders := range all {
		for _, role := range roles {
			if leaders[role] == "" {
				t.Fatalf("role %s has no leader in %v; output:\n%s", role, leaders, output)
			}
		}
		if leaders[roleCompactor] != leaders[roleEU] {
			t.Fatalf("the child role is led by %s, its parent by %s; output:\n%s", leaders[roleCompactor], leaders[roleEU], output)
		}
	}

	// On the stopped leader: compactor work, then the child role, then the
	// parent; all before the new leaders are printed.
	victim := before[roleEU]
	start := indexFrom(lines, at[0], "stopping "+victim+", the leader of region-eu: its child role steps down first")
	if start < 0 {
		t.Fatalf("no line stopping %s after the first leaders; output:\n%s", victim, output)
	}
	prev := start
	for _, want := range []string{
		victim + " compactor stopped",
		victim + " stepped down from region-eu/compactor: stopped",
		victim + " stepped down from region-eu: stopped",
	} {
		i := indexFrom(lines, prev, want)
		if i < 0 || i > at[1] {
			t.Fatalf("want %q after line %d and before the new leaders; output:\n%s", want, prev, output)
		}
		prev = i
	}
	if after[roleEU] == victim {
		t.Fatalf("%s still leads region-eu after it stopped; output:\n%s", victim, output)
	}
}

func TestRunWithEmbeddedServerAndTwoInstances(t *testing.T) {
	lines := runExample(t, options{instances: 2, duration: time.Millisecond})
	if !strings.HasPrefix(lines[0], "embedded NATS server at nats://") || lines[len(lines)-1] != "node-1 stopped" && lines[len(lines)-1] != "node-2 stopped" {
		t.Fatalf("unexpected first or last line; output:\n%s", strings.Join(lines, "\n"))
	}
	if all, _ := leadersLines(t, lines); len(all) != 2 {
		t.Fatalf("want leaders printed twice; output:\n%s", strings.Join(lines, "\n"))
	}
}

func TestRunEndsCleanlyWhenInterrupted(t *testing.T) {
	srv := natstest.RunServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out := &lineSignal{lines: make(chan string, 64)}
	go func() { done <- run(ctx, out, options{natsURL: srv.URL(), instances: 2}) }()
	// Without -duration it runs until interrupted: interrupt once the
	// demonstration is over.
	deadline := time.After(runTimeout)
	for seen := 0; seen < 2; {
		select {
		case line := <-out.lines:
			if strings.HasPrefix(line, "leaders: ") {
				seen++
			}
		case <-deadline:
			t.Fatalf("waited %v for the leaders to be printed twice", runTimeout)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after an interrupt: %v, want nil", err)
		}
	case <-time.After(runTimeout):
		t.Fatalf("run did not return within %v of the interrupt", runTimeout)
	}
}

// lineSignal is an io.Writer that hands each line written to a channel
// (the printer writes whole lines), dropping lines nobody reads.
type lineSignal struct{ lines chan string }

var _ io.Writer = (*lineSignal)(nil)

func (w *lineSignal) Write(b []byte) (int, error) {
	select {
	case w.lines <- strings.TrimSpace(string(b)):
	default:
	}
	return len(b), nil
}

func TestParseFlags(t *testing.T) {
	opts, err := parseFlags([]string{"-nats", "nats://127.0.0.1:4222", "-instances", "2", "-duration", "5s"}, io.Discard)
	if err != nil || opts != (options{natsURL: "nats://127.0.0.1:4222", instances: 2, duration: 5 * time.Second}) {
		t.Fatalf("parseFlags = %+v, %v", opts, err)
	}
	for _, args := range [][]string{{"-instances", "1"}, {"-instances", "4"}, {"-duration", "-1s"}, {"extra"}} {
		if _, err := parseFlags(args, io.Discard); !errors.Is(err, errInvalidOptions) {
			t.Errorf("parseFlags(%q) = %v, want errInvalidOptions", args, err)
		}
	}
	if err := run(context.Background(), io.Discard, options{instances: 1}); !errors.Is(err, errInvalidOptions) {
		t.Errorf("run with one instance: %v, want errInvalidOptions", err)
	}
}
