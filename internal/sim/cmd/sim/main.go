// Command sim runs the deterministic simulation of Baton's elections
// (internal/sim) over a range of seeds and prints what it simulated and
// every violation found, with the seed that replays it.
//
//	go run ./internal/sim/cmd/sim -runs 1000000 -seed 1 -workers 1 [-sessions]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/batonhq/baton/internal/sim"
)

func main() {
	runs := flag.Int("runs", 10_000, "runs to simulate")
	seed := flag.Uint64("seed", 1, "seed of the first run; run i uses seed+i")
	workers := flag.Int("workers", runtime.NumCPU(), "runs simulated at once")
	drift := flag.Float64("drift", 0, "largest clock rate drift, e.g. 0.5 (0: leadership's MaxClockDrift, 0.05)")
	skew := flag.Duration("skew", 0, "largest offset between the servers' wall clocks, e.g. 1s (0: the 250ms the timings allow for)")
	bugName := flag.String("bug", "none", "a deliberate interpreter bug: none, ack-deadline, blind-release, renew-drops-ttl, unproven-renewal, takeover-unchecked, no-ours, late-ack-proof, unhealthy-holds")
	sessions := flag.Bool("sessions", false, "run the elections in session mode (leadership's Config.Sessions)")
	trace := flag.Bool("trace", false, "write every input, effect, store message and fault to stderr (with -runs 1 to replay a seed)")
	flag.Parse()
	bug, ok := sim.ParseBug(*bugName)
	if !ok || *runs < 1 || *workers < 1 || *drift < 0 || *drift >= 1 || *skew < 0 {
		flag.Usage()
		os.Exit(2)
	}
	// Runs allocate many short-lived events; collecting less often saves a
	// third of the time at the cost of some memory.
	debug.SetGCPercent(400)
	start := time.Now()
	opts := sim.Options{Drift: *drift, ServerSkew: *skew, Bug: bug, Sessions: *sessions}
	if *trace {
		opts.Trace = os.Stderr
	}
	s := sim.RunMany(*seed, *runs, *workers, opts)
	report(os.Stdout, s, *seed, *workers, *sessions, time.Since(start))
	if s.Failed > 0 {
		os.Exit(1)
	}
}

// report prints the summary.
func report(w io.Writer, s sim.Summary, seed uint64, workers int, sessions bool, wall time.Duration) {
	fmt.Fprintf(w, "runs          %d (seeds %d..%d, %d workers%s)\n", s.Runs, seed, seed+uint64(s.Runs)-1, workers, mode(sessions))
	fmt.Fprintf(w, "virtual time  %v (%.1f days)\n", s.Virtual.Round(time.Second), s.Virtual.Hours()/24)
	fmt.Fprintf(w, "wall time     %v (%.0f runs/s)\n", wall.Round(time.Millisecond), float64(s.Runs)/wall.Seconds())
	fmt.Fprintf(w, "steps         %d\n", s.Steps)
	fmt.Fprintf(w, "promotions    %d\n", s.Promotions)
	fmt.Fprintf(w, "handovers     %d\n", s.Handovers)
	fmt.Fprintf(w, "faults        %s\n", faults(s))
	fmt.Fprintf(w, "fault effects %d unknown outcomes, %d keys expired, %d writes erased by an expiry marker, %d fenced writes refused, %d deadline demotions\n",
		s.Unknown, s.Expiries, s.Erased, s.Refused, s.DeadlineDemotions)
	fmt.Fprintf(w, "hand-offs     claims of offers read back: %d led, %d found but not proven, %d gone\n", s.ClaimsLed, s.ClaimsUnproven, s.ClaimsGone)
	if sessions {
		fmt.Fprintf(w, "takeovers     %d leases taken over after their session ended\n", s.Takeovers)
	}
	fmt.Fprintf(w, "worst recovery after heal %v\n", s.WorstRecovery.Round(time.Millisecond))
	fmt.Fprintf(w, "violations    %d runs (%d checks found two leaders at once)\n", s.Failed, s.TwoLeaders)
	if s.Failed > 0 {
		fmt.Fprintf(w, "by checker    %s\n", byChecker(s))
		fmt.Fprintf(w, "first failing seed %d\n", s.FirstFailure)
	}
	for _, v := range s.Violations {
		fmt.Fprintf(w, "  seed %d: %s\n", v.Seed, v.Violation)
	}
}

// mode names the session mode for the first line.
func mode(sessions bool) string {
	if sessions {
		return ", sessions"
	}
	return ""
}

// faults lists the faults injected by class.
func faults(s sim.Summary) string {
	out := ""
	for f, n := range s.Faults {
		if out != "" {
			out += ", "
		}
		out += fmt.Sprintf("%s %d", sim.Fault(f), n)
	}
	return out
}

// byChecker lists the failed runs by checker, in a fixed order.
func byChecker(s sim.Summary) string {
	out := ""
	for _, ch := range []sim.Checker{sim.CheckFencing, sim.CheckOneHolder, sim.CheckLease, sim.CheckLiveness, sim.CheckStop, sim.CheckProgress} {
		if n := s.ByChecker[ch]; n > 0 {
			if out != "" {
				out += ", "
			}
			out += fmt.Sprintf("%s %d", ch, n)
		}
	}
	return out
}
