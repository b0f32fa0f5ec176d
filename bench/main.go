package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/batonhq/baton/leadership"
)

func main() {
	if os.Getenv(candidateEnv) == "1" {
		// Started by batonHandoverProcs as one of its candidates.
		if err := runCandidate(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench candidate:", err)
			os.Exit(1)
		}
		return
	}
	runs := flag.Int("runs", 200, "graceful handovers per row")
	crashRuns := flag.Int("crash-runs", 5, "crash failovers per system")
	freedRuns := flag.Int("freed-runs", 5, "freed leases per freed-lease row")
	sizes := flag.String("sizes", "2,10,100,1000", "candidates for the graceful handover rows")
	procSizes := flag.String("proc-sizes", "2,10", "candidates, each a process of its own, for the graceful handover rows in separate processes")
	herd := flag.String("herd", "100,1000", "candidates for the freed-lease rows (creates per failover)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	results, err := run(*runs, *crashRuns, *freedRuns, ints(*sizes), ints(*procSizes), ints(*herd))
	printTable(results)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// crashTTL is the lease TTL of the crash rows: the smallest both systems
// accept (etcd's minimum lease TTL with its default election timeout).
const crashTTL = 2 * time.Second

// run starts the servers and runs every scenario, one after the other. A
// count of 0 runs, or an empty list of sizes, leaves its rows out.
func run(runs, crashRuns, freedRuns int, sizes, procSizes, herd []int) ([]result, error) {
	var results []result
	add := func(r result, err error) error {
		if err != nil {
			return fmt.Errorf("%s, %s, %d candidates: %w", r.scenario, r.system, r.n, err)
		}
		fmt.Fprintf(os.Stderr, "%s, %s, %d: p50 %s\n", r.scenario, r.system, r.n, ms(pct(r.durations, 50)))
		results = append(results, r)
		return nil
	}
	ns, stopNATS, err := natsServer(false)
	if err != nil {
		return nil, err
	}
	defer stopNATS()
	nsSync, stopSync, err := natsServer(true)
	if err != nil {
		return nil, err
	}
	defer stopSync()
	etcd, stopEtcd, err := etcdServer()
	if err != nil {
		return nil, err
	}
	defer stopEtcd()

	if runs == 0 {
		sizes, procSizes = nil, nil
	}
	if freedRuns == 0 {
		herd = nil
	}
	for _, n := range sizes {
		if err := add(batonHandover(ns.ClientURL(), n, runs, "baton")); err != nil {
			return results, err
		}
		if err := add(batonHandover(nsSync.ClientURL(), n, runs, "baton, sync always")); err != nil {
			return results, err
		}
		if err := add(etcdHandover(etcd, n, runs)); err != nil {
			return results, err
		}
	}
	for _, n := range procSizes {
		if err := add(batonHandoverProcs(ns.ClientURL(), n, runs)); err != nil {
			return results, err
		}
	}
	for _, n := range herd {
		if err := add(batonFreed(ns.ClientURL(), n, freedRuns, 0)); err != nil {
			return results, err
		}
	}
	if len(herd) > 0 {
		// The largest herd again with the shortest stand-by: on a busy host
		// the followers of a large role read the successor's create late.
		if err := add(batonFreed(ns.ClientURL(), herd[len(herd)-1], freedRuns, leadership.DefaultSuccessionStandBy)); err != nil {
			return results, err
		}
	}
	if crashRuns == 0 {
		return results, nil
	}
	if err := add(batonCrash(ns.ClientURL(), 2, crashRuns, crashTTL)); err != nil {
		return results, err
	}
	return results, add(etcdCrash(etcd, 2, crashRuns, crashTTL))
}

// ints parses a comma-separated list of numbers.
func ints(s string) []int {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}
