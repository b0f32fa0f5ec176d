package transport

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
)

// TestFeedCountsDrops lets a feed's reader fall behind a subscription with
// a one-message queue: nats.go drops what does not fit, and the feed must
// report the drops rather than lose them silently.
func TestFeedCountsDrops(t *testing.T) {
	const keys = 1000
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	octx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := Open(octx, nc, Options{Bucket: BucketConfig{Name: "drops"}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(store.Close)
	holdKeys(t, store, keys)

	pushJS, err := nc.JetStream(nats.MaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f, err := openFeed(pushJS, streamName("drops"), store.subject)
	if err != nil {
		t.Fatalf("open feed: %v", err)
	}
	if err := f.sub.SetPendingLimits(1, 1<<20); err != nil {
		t.Fatal(err)
	}
	slow := f.sub.StatusChanged(nats.SubscriptionSlowConsumer)
	// Nobody reads f.out: once its buffer is full the handler waits, and
	// the subscription's one-message queue overflows. The keys held so far
	// may all have been delivered before the limit was set, so new keys
	// are written until nats.go reports the overflow.
	deadline := time.After(10 * time.Second)
	for i := 0; ; i += 2 {
		select {
		case <-slow:
		case <-deadline:
			t.Fatalf("waited 10s for nats.go to report the feed a slow consumer (%d keys held, %d written since, %d-event buffer)", keys/2, i/2, feedBuffer)
		default:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, err := store.Acquire(ctx, keyName(keys+i), record("holder", 30*time.Second))
			cancel()
			if err != nil {
				t.Fatalf("acquire %s: %v", keyName(keys+i), err)
			}
			continue
		}
		break
	}
	if d := f.close(); d == 0 {
		t.Fatal("feed reported no drops after nats.go called it a slow consumer")
	}
}
