package transport

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestStreamTermChangesWithItsLeader pins the fact a poll's check relies
// on, on a real 3-node cluster: the stream's info names its leader and when
// it was elected, and both change when the leader steps down, so a check
// sees a new term even when the stream's last revision does not move.
func TestStreamTermChangesWithItsLeader(t *testing.T) {
	cluster := natstest.RunCluster(t, 3)
	nc := natstest.Connect(t, cluster.URLs())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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
	leader := strings.SplitN(before.term, "@", 2)[0]
	stepDown(ctx, t, nc, streamName("terms"), leader)
	deadline := time.Now().Add(time.Minute)
	for {
		// Each read has a bound of its own: until a new leader is elected
		// nobody answers, and one read must not spend the whole wait.
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		after, err := read(rctx)
		rcancel()
		if err == nil && after.term != "" && after.term != before.term {
			if after.last != before.last {
				t.Fatalf("the stream's last revision moved from %d to %d: the test needs a term change alone", before.last, after.last)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for stream %s to report a term other than %q after its leader stepped down; last read %q (%v)",
				streamName("terms"), before.term, after.term, err)
		}
		pollPause(ctx)
	}
}

// pollPause is the interval between two reads of a state the test polls
// for, within a deadline the caller keeps: a read may fail at once while
// the cluster has no leader, and the next must not follow it at once.
func pollPause(ctx context.Context) {
	select {
	case <-time.After(50 * time.Millisecond):
	case <-ctx.Done():
	}
}

// stepDown asks the leader of stream to step down until the server says it
// did, for at most a minute: a leader refuses while no peer is current.
func stepDown(ctx context.Context, t *testing.T, nc *nats.Conn, stream, leader string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var answer struct {
			Success bool `json:"success"`
			Error   *struct {
				Description string `json:"description"`
			} `json:"error"`
		}
		msg, err := nc.RequestWithContext(ctx, jetstream.DefaultAPIPrefix+"STREAM.LEADER.STEPDOWN."+stream, nil)
		if err == nil {
			err = json.Unmarshal(msg.Data, &answer)
		}
		if err == nil && answer.Success {
			return
		}
		if err == nil && answer.Error != nil {
			err = errors.New(answer.Error.Description)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waited a minute for %s, the leader of stream %s, to step down: %v", leader, stream, err)
		}
		pollPause(ctx)
	}
}
