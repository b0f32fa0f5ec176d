package transport

import (
	"context"
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
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := Options{Bucket: BucketConfig{Name: "restart"}, PollInterval: 100 * time.Millisecond, OpTimeout: 2 * time.Second}
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

	rec := Record{Holder: "old", Nonce: "1", TTL: 10 * time.Second}
	lease, err := store.Acquire(ctx, "r", rec)
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

	if err := store.js.DeleteStream(ctx, streamName("restart")); err != nil {
		t.Fatalf("delete stream: %v", err)
	}
	again, err := Open(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(again.Close)
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
