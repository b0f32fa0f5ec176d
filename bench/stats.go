package main

import (
	"fmt"
	"slices"
	"time"
)

// result is one row of the table.
type result struct {
	scenario  string
	system    string
	n         int
	durations []time.Duration
	creates   float64 // creates per operation; negative when not counted
	note      string
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

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
