package transport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go/jetstream"
)

// TestStreamTermChangesWithItsLeader pins the fact a poll's check relies
// on, on a real 3-node cluster: the stream's info names its leader and when
// it was elected, and both change when the leader steps down, so a check
// sees a new term even when the stream's last revision does not move.
func TestStreamTermChangesWithItsLeader(t *testing.T) {
	cluster := natstest.RunCluster(t, 3)
	nc := natstest.Connect(t, cluster.URLs())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := Open(ctx, nc, Options{Bucket: BucketConfig{Name: "terms", Replicas: 3}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(store.Close)
	if _, err := store.kv.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	read := streamReader(store.js, "terms")
	before, err := read(ctx)
	if err != nil {
		t.Fatalf("read the stream's mark: %v", err)
	}
	if before.term == "" || !strings.Contains(before.term, "@") {
		t.Fatalf("term %q: a clustered stream's info should name its leader and when it was elected", before.term)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	leader := strings.SplitN(before.term, "@", 2)[0]
	if _, err := nc.RequestWithContext(ctx, jetstream.DefaultAPIPrefix+"STREAM.LEADER.STEPDOWN."+streamName("terms"), nil); err != nil {
		t.Fatalf("ask %s to step down: %v", leader, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		after, err := read(ctx)
		if err == nil && after.term != "" && after.term != before.term {
			if after.last != before.last {
				t.Fatalf("the stream's last revision moved from %d to %d: the test needs a term change alone", before.last, after.last)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for stream %s to report a term other than %q after its leader stepped down; last read %q (%v)",
				streamName("terms"), before.term, after.term, err)
		}
		if _, err := js.AccountInfo(ctx); err != nil { // a round trip between reads, not a sleep
			t.Fatal(err)
		}
	}
}
