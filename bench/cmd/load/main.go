package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	maybeServe()
	sizes := flag.String("n", "10,1000,10000", "roles per process, one column each")
	quiet := flag.Duration("quiet", 20*time.Second, "idle window over which CPU, writes, drops and demotions are measured")
	sample := flag.Int("handovers", 10, "roles that get a second candidate and hand over, per N")
	starters := flag.Int("starters", 1, "goroutines that call Start at once (Election columns)")
	flag.StringVar(&profileDir, "profiles", "", "write each column's heap profile (after all lead) and CPU profile (of the quiet window) into this directory")
	manager := flag.Bool("manager", true, "also run the roles in one RoleManager (no handover column: it has no Resign)")
	herd := flag.Int("herd", 1000, "candidates of the one-role table (0 skips it)")
	herdConns := flag.Int("herd-conns", 20, "connections the one-role candidates share")
	herdRuns := flag.Int("herd-runs", 50, "handovers in the one-role table")
	leases := flag.String("leases", "ttl,session", "how leases are kept, one column (and one one-role row) each: ttl (a TTL per role key), session (Config.Sessions)")
	flag.Parse()
	kinds, err := leaseKinds(*leases)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}

	fmt.Printf("machine: %s, load average at start %s\n\n", machine(), loadAvg())
	var rows []rolesRow
	var failed error
	modes := []string{facadeMode}
	if *manager {
		modes = append(modes, managerMode)
	}
	for _, n := range ints(*sizes) {
		for _, sessions := range kinds {
			for _, mode := range modes {
				if failed != nil {
					break
				}
				row, err := measureRoles(mode, n, sessions, *quiet, *sample, *starters)
				rows = append(rows, row)
				if err != nil {
					failed = fmt.Errorf("%s N=%d: %w", row.column(), n, err)
				}
			}
		}
	}
	printRoles(rows, *quiet)
	var herds []herdRow
	for _, sessions := range kinds {
		if failed != nil || *herd <= 0 {
			break
		}
		row, err := measureHerd(*herd, *herdConns, *herdRuns, sessions)
		if err != nil {
			failed = err
			break
		}
		herds = append(herds, row)
	}
	if len(herds) > 0 {
		fmt.Println()
		printHerd(herds)
	}
	fmt.Printf("\nload average at end %s\n", loadAvg())
	if failed != nil {
		fmt.Fprintln(os.Stderr, "load:", failed)
		os.Exit(1)
	}
}

// leaseKinds parses -leases: false for ttl, true for session.
func leaseKinds(s string) ([]bool, error) {
	var out []bool
	for f := range strings.SplitSeq(s, ",") {
		switch strings.TrimSpace(f) {
		case "ttl":
			out = append(out, false)
		case "session":
			out = append(out, true)
		default:
			return nil, fmt.Errorf("-leases: %q is neither ttl nor session", f)
		}
	}
	return out, nil
}

// ints parses a comma-separated list of numbers.
func ints(s string) []int {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}
