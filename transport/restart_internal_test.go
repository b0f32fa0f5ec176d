package transport

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// TestWatchFollowsAStreamThatStartedOver recreates the bucket's stream, so
// its revisions start over below those the hub delivered, as after a
// whole-cluster crash that lost acknowledged writes. The watch must still
// report the key's new lease: events with revisions below the old ones are
// not stale but from a stream that started over.
func TestWatchFollowsAStreamThatStartedOver(t *testing.T) {
	store, again, events, lease := startOver(t, "restart", 10*time.Second)
	ctx := context.Background()
	fresh, err := again.Acquire(ctx, "r", Record{Holder: "new", Nonce: "2", TTL: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Revision >= lease.Revision {
		t.Fatalf("the recreated stream's revision %d is not below the old %d; the test proves nothing", fresh.Revision, lease.Revision)
	}
	awaitKey(t, events, "the new holder on the recreated stream", func(ev KeyEvent) bool {
		return ev.Kind == KeyPut && ev.Entry.Record.Holder == "new"
	})
	if store.Stats().StreamRestarts == 0 {
		t.Error("the restart was not counted")
	}
}

// awaitKey waits up to 10s for an event that matches.
func awaitKey(t *testing.T, events <-chan KeyEvent, what string, match func(KeyEvent) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if match(ev) {
				return
			}
		case <-deadline:
			t.Fatalf("waited 10s for %s", what)
		}
	}
}

// TestWatchNoticesALossHiddenByNewerWrites: after the stream loses writes,
// new writes can carry its last revision past every revision the hub
// delivered before, so comparing the stream's last revision with them
// shows nothing. The listing still finds the role's key at a revision
// below the one the hub delivered for it, which a stream that keeps its
// writes never shows: the hub must take the listing as the truth. A lease
// kept by a session has no TTL, so no expiry marker would ever correct a
// stale view of it.
func TestWatchNoticesALossHiddenByNewerWrites(t *testing.T) {
	_, again, events, lease := startOver(t, "hidden", time.Minute)
	ctx := context.Background()
	fresh, err := again.Acquire(ctx, "r", Record{Holder: "new", Nonce: "2", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * int(lease.Revision) {
		if _, err := again.kv.Put(ctx, "filler"+strconv.Itoa(i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	mark, err := streamReader(again.js, "hidden")(ctx)
	last := mark.last
	if err != nil || fresh.Revision >= lease.Revision || last <= lease.Revision {
		t.Fatalf("new lease at %d, stream at %d (%v), old lease at %d: the test needs the first below and the second above the third",
			fresh.Revision, last, err, lease.Revision)
	}
	awaitKey(t, events, "the new holder, at a revision below the old one", func(ev KeyEvent) bool {
		return ev.Kind == KeyPut && ev.Entry.Record.Holder == "new"
	})
}

// startOver opens a store on bucket, watches role "r" and holds a lease on
// it renewed five times (with ttl), then deletes the bucket's stream and
// opens a second store, which recreates it: the watch's store has
// delivered revisions the new stream is below. It returns both stores, the
// watch's events and the old lease.
func startOver(t *testing.T, bucket string, ttl time.Duration) (*JetStreamStore, *JetStreamStore, <-chan KeyEvent, Lease) {
	t.Helper()
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := Options{Bucket: BucketConfig{Name: bucket}, PollInterval: 100 * time.Millisecond, OpTimeout: 2 * time.Second}
	store, err := Open(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	events := make(chan KeyEvent, 256)
	w, err := store.Watch("r", func(ev KeyEvent) { events <- ev })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	lease, err := store.Acquire(ctx, "r", Record{Holder: "old", Nonce: "1", TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if lease, err = store.Renew(ctx, lease); err != nil {
			t.Fatal(err)
		}
	}
	awaitKey(t, events, "the old lease at its last revision", func(ev KeyEvent) bool {
		return ev.Kind == KeyPut && ev.Entry.Revision == lease.Revision
	})
	if err := store.js.DeleteStream(ctx, streamName(bucket)); err != nil {
		t.Fatalf("delete stream: %v", err)
	}
	again, err := Open(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(again.Close)
	return store, again, events, lease
}
