//go:build unix

package natstest_test

import (
	"testing"

	"github.com/batonhq/baton/internal/natstest"
)

// TestProcClusterKillAndPartition kills the stream leader's process with
// SIGKILL, requires a new leader and writes to go on without it, restarts
// it, and then cuts the new leader from its peers. Once healed, the cut
// node must serve writes again: the new leader subscribed to the stream's
// subjects while the node was cut off, and the node must have learnt it.
func TestProcClusterKillAndPartition(t *testing.T) {
	c := natstest.RunProcCluster(t, 3, natstest.ProcOptions{Sync: natstest.Sync{Always: true}})
	kv := newKV(t, natstest.Connect(t, c.URLs()), 3)
	// A new replicated stream answers only once its leader is elected and
	// its subjects' interest has reached the node the client is on.
	eventually(t, raftTimeout, "the first KV put on a new R3 bucket", func() error { return put(kv, "first") })
	old, err := c.WaitStreamLeader("$G", "KV_baton", raftTimeout)
	if err != nil {
		t.Fatalf("WaitStreamLeader: %v", err)
	}
	c.Servers[old].Kill()
	if !c.Servers[old].KilledBySIGKILL() {
		t.Fatalf("%s did not die of SIGKILL", c.Servers[old].Name())
	}
	next, err := c.WaitStreamLeader("$G", "KV_baton", raftTimeout, old)
	if err != nil {
		t.Fatalf("no new stream leader after SIGKILL of %s: %v", c.Servers[old].Name(), err)
	}
	eventually(t, raftTimeout, "a KV put after the stream leader was killed", func() error { return put(kv, "second") })
	if err := c.Servers[old].Start(); err != nil {
		t.Fatalf("restart %s: %v", c.Servers[old].Name(), err)
	}
	if err := c.WaitReady(raftTimeout); err != nil {
		t.Fatalf("WaitReady after restart: %v", err)
	}

	c.Isolate(next)
	moved, err := c.WaitStreamLeader("$G", "KV_baton", raftTimeout, next)
	if err != nil {
		t.Fatalf("the majority elected no stream leader while %s was cut off: %v", c.Servers[next].Name(), err)
	}
	c.HealRoutes()
	if err := c.WaitReady(raftTimeout); err != nil {
		t.Fatalf("WaitReady after the partition healed: %v", err)
	}
	if v, err := get(kv); err != nil || v != "second" {
		t.Fatalf("get after the partition = %q, %v; want second (leader now %s)", v, err, c.Servers[moved].Name())
	}
	cut := newKV(t, natstest.Connect(t, c.Servers[next].URL()), 3)
	eventually(t, raftTimeout, "a KV put through "+c.Servers[next].Name()+" after the partition healed", func() error { return put(cut, "third") })
}
