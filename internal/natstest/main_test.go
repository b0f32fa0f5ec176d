package natstest_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	natstest.MaybeRunServer()
	goleak.VerifyTestMain(m)
}

// waitFor waits for a value on ch, failing the test after timeout with what
// was awaited.
func waitFor[T any](t *testing.T, ch <-chan T, timeout time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		t.Fatalf("timed out after %s waiting for %s", timeout, what)
		var zero T
		return zero
	}
}

// raftTimeout covers a raft election after a hard crash or a partition:
// nats-server's election timeout is 4-9 s.
const raftTimeout = 20 * time.Second

// eventually retries op until it succeeds, failing the test after timeout
// with what was awaited and op's last error.
func eventually(t *testing.T, timeout time.Duration, what string, op func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for {
		err := op()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %v", timeout, what, err)
		}
		<-ticker.C
	}
}

// notify returns a channel and a function that sends to it without blocking,
// for nats.go handlers that may fire more often than a test reads.
func notify[T any]() (chan T, func(T)) {
	ch := make(chan T, 16)
	return ch, func(v T) {
		select {
		case ch <- v:
		default:
		}
	}
}
