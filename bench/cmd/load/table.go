package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/batonhq/baton/leadership"
)

// printRoles prints the roles table, one column per N, as measured; a
// column cut short by an error shows what it got.
func printRoles(rows []rolesRow, quiet time.Duration) {
	head, sep := "| |", "|---|"
	for _, r := range rows {
		head += fmt.Sprintf(" N=%d, %s |", r.n, r.column())
		sep += "---|"
	}
	fmt.Println(head)
	fmt.Println(sep)
	line := func(name string, cell func(rolesRow) string) {
		s := "| " + name + " |"
		for _, r := range rows {
			s += " " + cell(r) + " |"
		}
		fmt.Println(s)
	}
	line("Start of N returned in", func(r rolesRow) string { return dur(r.startTook) })
	line("all N lead after Start returned", func(r rolesRow) string {
		if r.allLead < 0 {
			return fmt.Sprintf("not within %v", leadBound)
		}
		return dur(r.allLead)
	})
	line(fmt.Sprintf("roles first leading more than %v after Start returned", lateAfter), func(r rolesRow) string { return fmt.Sprintf("%d", r.lateLeaders) })
	line("live heap per role", func(r rolesRow) string { return fmt.Sprintf("%.1f KiB", r.heapPerRole/1024) })
	line("goroutines per role", func(r rolesRow) string { return fmt.Sprintf("%.2f", r.goroutines) })
	q := fmt.Sprintf(" (quiet %v)", quiet)
	line("client cores"+q, func(r rolesRow) string { return fmt.Sprintf("%.3f", r.clientCores) })
	line("server cores"+q, func(r rolesRow) string { return fmt.Sprintf("%.3f", r.serverCores) })
	line("KV writes/s"+q, func(r rolesRow) string { return fmt.Sprintf("%.0f", r.writesPerSec) })
	line("messages the server sent the process /s"+q, func(r rolesRow) string { return fmt.Sprintf("%.0f", r.msgsInPerSec) })
	line("messages dropped: whole run / quiet", func(r rolesRow) string { return fmt.Sprintf("%d / %d", r.droppedRun, r.droppedQuiet) })
	line("re-lists of the bucket: whole run / quiet", func(r rolesRow) string { return fmt.Sprintf("%d / %d", r.relistsRun, r.relistsQuiet) })
	line("spurious demotions (quiet)", func(r rolesRow) string { return fmt.Sprintf("%d%s", r.demotesQuiet, reasons(r.reasonsQuiet)) })
	line("Resign to the other candidate's promotion, p50 / max", func(r rolesRow) string {
		if len(r.handovers) == 0 {
			return "-"
		}
		s := fmt.Sprintf("%s / %s (%d roles)", dur(pct(r.handovers, 50)), dur(pct(r.handovers, 100)), len(r.handovers))
		if r.handoverMisses > 0 {
			s += fmt.Sprintf(", %d missed (not settled in 1 min, resign failed or no promotion in 30 s)", r.handoverMisses)
		}
		return s
	})
}

// reasons lists demotions by reason, most frequent first, "" if none.
func reasons(m map[leadership.DemoteReason]int64) string {
	var rs []leadership.DemoteReason
	for reason, k := range m {
		if k > 0 {
			rs = append(rs, reason)
		}
	}
	if len(rs) == 0 {
		return ""
	}
	slices.SortFunc(rs, func(a, b leadership.DemoteReason) int { return int(m[b] - m[a]) })
	parts := make([]string, len(rs))
	for i, reason := range rs {
		parts[i] = fmt.Sprintf("%s %d", reason, m[reason])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// printHerd prints the one-role table, a row per way of keeping leases.
func printHerd(rows []herdRow) {
	fmt.Println("| candidates, one role | leases | connections | Starts returned in | live heap per candidate | goroutines per candidate | handovers | Resign to promotion p50 | p99 | max | creates per handover |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		leases := "TTL per role"
		if r.sessions {
			leases = "sessions"
		}
		fmt.Printf("| %d | %s | %d | %s | %.1f KiB | %.2f | %d | %s | %s | %s | %.2f |\n", r.n, leases, r.conns, dur(r.startTook), r.heapPerCand/1024, r.goroutines,
			len(r.handovers), dur(pct(r.handovers, 50)), dur(pct(r.handovers, 99)), dur(pct(r.handovers, 100)), r.creates)
	}
}

// pct is the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// dur formats d in ms below a second, else in seconds.
func dur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// machine names the CPU, its cores and the Go version.
func machine() string {
	model := runtime.GOARCH
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
