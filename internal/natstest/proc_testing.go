//go:build unix

package natstest

import "testing"

// RunProcCluster starts an n-node cluster of server processes, shuts it
// down when the test ends, and fails the test if it cannot start. The test
// binary's TestMain must call MaybeRunServer first.
func RunProcCluster(tb testing.TB, n int, opts ProcOptions) *ProcCluster {
	tb.Helper()
	c, err := StartProcCluster(n, opts)
	if err != nil {
		tb.Fatalf("natstest: start process cluster: %v", err)
	}
	tb.Cleanup(c.Shutdown)
	return c
}
