package transport

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// TestAWriteThatFindsNoRoomIsNeverSent: with every room in its
// connection's window of requests taken, an acquisition waits, and when its
// context ends it fails as transient, not with an unknown outcome, because
// nothing was sent: the key stays free. Once room comes, it goes through.
func TestAWriteThatFindsNoRoomIsNeverSent(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	octx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := Open(octx, nc, Options{Bucket: BucketConfig{Name: "windowed"}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(store.Close)
	var held []func()
	for range maxRequestsInFlight {
		leave, err := requestWindows.Enter(context.Background(), nc)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, leave)
	}
	release := func() {
		for _, leave := range held {
			leave()
		}
		held = nil
	}
	t.Cleanup(release)

	rec := Record{Holder: "a", Nonce: "1", TTL: 5 * time.Second}
	wctx, wcancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer wcancel()
	_, err = store.Acquire(wctx, "r", rec)
	if ClassOf(err) != ClassTransient || !errors.Is(err, errNotSent) {
		t.Fatalf("an acquisition that found no room: %v (class %v), want transient and never sent", err, ClassOf(err))
	}
	release()
	if _, err := store.Get(octx, "r"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the key after a write that was never sent: %v, want not found", err)
	}
	if _, err := store.Acquire(octx, "r", rec); err != nil {
		t.Fatalf("an acquisition with room: %v", err)
	}
}
