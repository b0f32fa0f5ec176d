package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// printTable prints the results as one markdown table, with the machine.
func printTable(results []result) {
	fmt.Printf("machine: %s, %d cores, %s %s/%s\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Println("| scenario | system | candidates | runs | p50 | p99 | max | creates/op | note |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		creates := "-"
		if r.creates >= 0 {
			creates = fmt.Sprintf("%.2f", r.creates)
		}
		fmt.Printf("| %s | %s | %d | %d | %s | %s | %s | %s | %s |\n", r.scenario, r.system, r.n, len(r.durations),
			ms(pct(r.durations, 50)), ms(pct(r.durations, 99)), ms(pct(r.durations, 100)), creates, r.note)
	}
}

// cpuModel reads the CPU's name on Linux.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return runtime.GOARCH
}
