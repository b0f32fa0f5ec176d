package transport

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// TestTakeoverIsCheckedByTheServer sends the takeover batch as a taker
// whose read was wrong would: it believes the holder's session ended at a
// message that is no longer the session's last (the session renewed since),
// or that the session has no message at all. The server refuses both and
// the lease stays the holder's: a dead session is never inferred from a read.
func TestTakeoverIsCheckedByTheServer(t *testing.T) {
	url := natstest.RunServer(t).URL()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	opts := Options{Bucket: BucketConfig{Name: "checked"}, Session: SessionOptions{TTL: 5 * time.Second, Renew: time.Second}}
	holder, err := Open(ctx, natstest.Connect(t, url), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	taker, err := Open(ctx, natstest.Connect(t, url), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer taker.Close()
	lease, err := holder.Acquire(ctx, "role", record("holder", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	opened, alive, err := taker.sessionEnd(ctx, lease.Record.Session)
	if err != nil || !alive {
		t.Fatalf("the holder's session: revision %d, alive %v, %v", opened, alive, err)
	}
	// Renew the holder's session so its key moves past opened.
	holder.session.mu.Lock()
	holder.session.proven = time.Time{}
	holder.session.mu.Unlock()
	if _, err := holder.Renew(ctx, lease); err != nil {
		t.Fatal(err)
	}
	rec := record("taker", 5*time.Second)
	rec.Session = taker.Session()
	for _, end := range []uint64{opened, 0} {
		if _, err := taker.publishTakeover(ctx, "role", rec, lease.Revision, lease.Record.Session, end, 0); !errors.Is(err, ErrConflict) {
			t.Fatalf("takeover expecting the session's last message at %d = %v, want ErrConflict from the server", end, err)
		}
	}
	e, err := taker.readFromLeader(ctx, "role")
	if err != nil || e.Record.Holder != "holder" || e.Revision != lease.Revision {
		t.Fatalf("after the refused takeovers the key holds %+v, %v; want the holder's lease at %d", e, err, lease.Revision)
	}
}
