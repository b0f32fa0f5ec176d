// Command chaos runs randomized fault mixes against Baton's elections and
// prints a summary table: runs, faults injected per class, fenced writes
// accepted and refused, leader changes, violations and the worst failover.
// It exits with status 1 when any check failed or a run could not be
// carried out, and 2 on bad flags.
//
//	go run ./internal/chaos/cmd/chaos -runs 20 -seed 1 -parallel 3
//
// Run i uses seed S+i; a failing seed can be replayed alone with -runs 1
// -seed <seed> -v, and kept as a regression test (see the chaos package).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/batonhq/baton/internal/chaos"
	"github.com/batonhq/baton/internal/natstest"
)

// Exit statuses.
const (
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	natstest.MaybeRunServer()
	chaos.MaybeRunCandidate()
	runs := flag.Int("runs", 10, "number of randomized runs")
	seed := flag.Int64("seed", 1, "seed of the first run; run i uses seed+i")
	parallel := flag.Int("parallel", 1, "how many runs go on at once (each has its own servers and candidates)")
	faults := flag.String("faults", "", "comma-separated fault classes to draw from (default: all of "+fmt.Sprint(chaos.Classes())+")")
	verbose := flag.Bool("v", false, "print every run's timeline as it happens, and the full report of failed runs")
	debug := flag.Bool("debug", false, "log every candidate's election at debug level (shown in the report of failed runs with -v)")
	sessions := flag.Bool("sessions", false, "keep every candidate's lease with a session (leadership.Config.Sessions)")
	flag.Parse()

	var classes []chaos.Class
	if *faults != "" {
		for _, name := range strings.Split(*faults, ",") {
			classes = append(classes, chaos.Class(strings.TrimSpace(name)))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	timing := chaos.DefaultTiming()
	timing.Sessions = *sessions
	code := run(ctx, chaos.MixOptions{Runs: *runs, Seed: *seed, Parallel: *parallel, Classes: classes, Timing: &timing, DebugCandidates: *debug}, *verbose, os.Stdout)
	stop()
	os.Exit(code)
}

// run runs the mixes and returns the exit status.
func run(ctx context.Context, opts chaos.MixOptions, verbose bool, out io.Writer) int {
	if verbose {
		opts.Log = out
	}
	opts.OnRun = func(sc chaos.Scenario, rep *chaos.Report, err error) {
		switch {
		case err != nil && rep != nil && verbose:
			fmt.Fprintf(out, "seed %d: harness error: %v\n%s\n", sc.Seed, err, rep)
		case err != nil:
			fmt.Fprintf(out, "seed %d: harness error: %v\n", sc.Seed, err)
		case rep.Failed() && verbose:
			fmt.Fprintf(out, "seed %d FAILED:\n%s\n", sc.Seed, rep)
		case rep.Failed():
			fmt.Fprintf(out, "seed %d FAILED (%d violations)\n", sc.Seed, len(rep.Violations))
		default:
			fmt.Fprintf(out, "seed %d ok: %s, faults %v\n", sc.Seed, sc.Topology, sc.Faults)
		}
	}
	sum, err := chaos.RunMixes(ctx, opts)
	if errors.Is(err, chaos.ErrInvalidScenario) {
		fmt.Fprintln(os.Stderr, err)
		return exitUsage
	}
	if sum != nil {
		fmt.Fprintln(out)
		if werr := sum.WriteTable(out); werr != nil {
			fmt.Fprintln(os.Stderr, werr)
			return exitFailed
		}
	}
	if err != nil || sum.Failed() {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		return exitFailed
	}
	return 0
}
