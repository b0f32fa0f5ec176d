package natstest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

func TestClusterStreamLeaderFailover(t *testing.T) {
	c := natstest.RunCluster(t, 3)
	if len(c.Servers) != 3 || len(strings.Split(c.URLs(), ",")) != 3 {
		t.Fatalf("cluster has %d servers and URLs %q, want 3 of each", len(c.Servers), c.URLs())
	}
	if _, err := c.StreamLeader("$G", "KV_baton"); !errors.Is(err, natstest.ErrNoStreamLeader) {
		t.Fatalf("StreamLeader before the bucket exists: err = %v, want ErrNoStreamLeader", err)
	}
	kv := newKV(t, natstest.Connect(t, c.URLs()), 3)
	// A new replicated stream answers only once its leader is elected and
	// its subjects' interest has reached the node the client is on.
	eventually(t, raftTimeout, "the first KV put on a new R3 bucket", func() error { return put(kv, "first") })
	old, err := c.StreamLeader("$G", "KV_baton")
	if err != nil {
		t.Fatalf("StreamLeader: %v", err)
	}
	if old < 0 || old >= len(c.Servers) {
		t.Fatalf("StreamLeader = %d, want an index into Servers", old)
	}

	c.Servers[old].Shutdown()
	leader, err := c.WaitStreamLeader("$G", "KV_baton", 10*time.Second)
	if err != nil {
		t.Fatalf("WaitStreamLeader after stopping %s: %v", c.Servers[old].Name(), err)
	}
	if leader == old {
		t.Fatalf("stream leader is still the stopped node %d", old)
	}
	eventually(t, 10*time.Second, "a KV put after the stream leader stopped", func() error {
		return put(kv, "second")
	})

	if err := c.Servers[old].Restart(); err != nil {
		t.Fatalf("Restart %s: %v", c.Servers[old].Name(), err)
	}
	if err := c.WaitReady(20 * time.Second); err != nil {
		t.Fatalf("WaitReady after restart: %v", err)
	}
	if v, err := get(kv); err != nil || v != "second" {
		t.Fatalf("get after rejoin = %q, %v; want second", v, err)
	}
	// The restarted node recovers its replica of the stream on its own
	// goroutines; a shutdown in the middle of that leaves its store's
	// goroutines behind, so the test ends with the replica current.
	rejoined := c.Servers[old].NATS()
	eventually(t, raftTimeout, "the restarted node's replica of the stream to be current", func() error {
		if !rejoined.JetStreamIsStreamCurrent("$G", "KV_baton") {
			return errors.New("not current yet")
		}
		return nil
	})
}

func TestStartClusterInvalidSize(t *testing.T) {
	for _, n := range []int{-1, 0, 1} {
		if _, err := natstest.StartCluster(n); !errors.Is(err, natstest.ErrInvalidOptions) {
			t.Errorf("StartCluster(%d): err = %v, want ErrInvalidOptions", n, err)
		}
	}
}
