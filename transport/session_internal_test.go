package transport

import (
	"context"
	"errors"
	"fmt"
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
	holder, taker := openTwo(ctx, t, url, opts)
	lease, err := holder.Acquire(ctx, "role", record("holder", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	opened, alive, err := taker.sessionEnd(ctx, lease.Record.Session)
	if err != nil || !alive {
		t.Fatalf("the holder's session: revision %d, alive %v, %v", opened, alive, err)
	}
	// Renew the holder's session so its key moves past opened: its proof
	// is made older than Renew/2, so the renewal writes, but not older than
	// ProofWindow, which would abandon the session.
	holder.session.mu.Lock()
	holder.session.state.Proven = time.Now().Add(-opts.Session.Renew)
	holder.session.mu.Unlock()
	if _, err := holder.Renew(ctx, lease); err != nil {
		t.Fatal(err)
	}
	rec := record("taker", 5*time.Second)
	rec.Session = taker.Session()
	for _, end := range []uint64{opened, 0} {
		if _, err := taker.takeOver(ctx, "role", rec, lease.Revision, lease.Record.Session, end, 0); !errors.Is(err, ErrConflict) {
			t.Fatalf("takeover expecting the session's last message at %d = %v, want ErrConflict from the server", end, err)
		}
	}
	ev, err := taker.Read(ctx, "role")
	if e := ev.Entry; err != nil || ev.Kind != KeyPut || e.Record.Holder != "holder" || e.Revision != lease.Revision {
		t.Fatalf("after the refused takeovers the key holds %+v, %v; want the holder's lease at %d", ev, err, lease.Revision)
	}
}

// TestManyTakeoversAtOnceShareBatches: when an instance holding many
// session leases dies, a follower's takeovers of all of them go out at
// once. They are sent as a few batches rather than one each (the server
// stages every batch, and keeps at most 50 open per stream), every one
// succeeds, and each gets the revision its claim was stored at: the lease's
// term, so it must be exact.
func TestManyTakeoversAtOnceShareBatches(t *testing.T) {
	for _, topo := range []struct {
		name     string
		replicas int
		url      func(t *testing.T) string
	}{
		{"single", 1, func(t *testing.T) string { return natstest.RunServer(t).URL() }},
		{"cluster3", 3, func(t *testing.T) string { return natstest.RunCluster(t, 3).URLs() }},
	} {
		t.Run(topo.name, func(t *testing.T) {
			url := topo.url(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			opts := Options{Bucket: BucketConfig{Name: "many", Replicas: topo.replicas}, OpTimeout: 5 * time.Second,
				Session: SessionOptions{TTL: time.Second, Renew: 300 * time.Millisecond}}
			holder, taker := openTwo(ctx, t, url, opts)
			const roles = 300
			ended := make(chan KeyEvent, 4*roles)
			for i := range roles {
				role := fmt.Sprintf("r%d", i)
				if _, err := holder.Acquire(ctx, role, record("holder", time.Second)); err != nil {
					t.Fatal(err)
				}
				w, err := taker.Watch(role, func(ev KeyEvent) {
					if ev.Kind == KeySessionEnded {
						ended <- ev
					}
				})
				if err != nil {
					t.Fatal(err)
				}
				defer w.Stop()
			}
			holder.Close() // its session is no longer renewed
			seen := map[string]KeyEvent{}
			for len(seen) < roles {
				select {
				case ev := <-ended:
					seen[ev.Entry.Role] = ev
				case <-ctx.Done():
					t.Fatalf("waited for the end of the holder's session to reach all %d roles; %d did", roles, len(seen))
				}
			}
			type result struct {
				role  string
				lease Lease
				err   error
			}
			results := make(chan result, roles)
			for role, ev := range seen {
				go func() {
					l, err := taker.TakeOver(ctx, role, record("taker", time.Second), ev.Entry.Revision, ev.Entry.Record.Session, ev.SessionEnd)
					results <- result{role, l, err}
				}()
			}
			for range roles {
				r := <-results
				if r.err != nil {
					t.Fatalf("takeover of %s: %v", r.role, r.err)
				}
				ev, err := taker.Read(ctx, r.role)
				if e := ev.Entry; err != nil || e.Revision != r.lease.Revision || e.Record.Holder != "taker" {
					t.Fatalf("%s holds %+v (%v) after a takeover that returned revision %d", r.role, ev, err, r.lease.Revision)
				}
			}
			if n := taker.takeovers.batches.Load(); n > roles/4 {
				t.Fatalf("%d takeovers took %d batches; want them to share batches", roles, n)
			}
			t.Logf("%d takeovers in %d batches", roles, taker.takeovers.batches.Load())
		})
	}
}

// openTwo opens two stores with opts on connections of their own, as two
// processes would; they close when the test ends.
func openTwo(ctx context.Context, t *testing.T, url string, opts Options) (*JetStreamStore, *JetStreamStore) {
	t.Helper()
	var stores [2]*JetStreamStore
	for i := range stores {
		s, err := Open(ctx, natstest.Connect(t, url), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		stores[i] = s
	}
	return stores[0], stores[1]
}

// TestSessionUnprovenForTooLongIsAbandoned: a session whose newest proof is
// older than ProofWindow is not renewed (a renewal acknowledged now may have
// replaced a write that already expired, and the expiry marker may erase
// it): it is abandoned, the leases it kept end, and a new session is opened.
func TestSessionUnprovenForTooLongIsAbandoned(t *testing.T) {
	url := natstest.RunServer(t).URL()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	opts := Options{Bucket: BucketConfig{Name: "abandon"}, Session: SessionOptions{TTL: 5 * time.Second, Renew: time.Second}}
	holder, _ := openTwo(ctx, t, url, opts)
	lease, err := holder.Acquire(ctx, "role", record("holder", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	writes := holder.Stats().SessionWrites
	holder.session.mu.Lock()
	holder.session.state.Proven = time.Now().Add(-holder.session.opts.ProofWindow)
	holder.session.mu.Unlock()
	if _, err := holder.Renew(ctx, lease); !errors.Is(err, ErrConflict) {
		t.Fatalf("renewing a lease whose session went unproven for ProofWindow: %v, want ErrConflict", err)
	}
	st := holder.Stats()
	if st.SessionsAbandoned != 1 || st.SessionWrites != writes {
		t.Fatalf("stats %+v: want one session abandoned and no renewal written (writes before: %d)", st, writes)
	}
	if _, err := holder.Acquire(ctx, "other", record("holder", 5*time.Second)); err != nil {
		t.Fatalf("acquiring after the abandon: %v", err)
	}
	if s := holder.Session(); s == "" || s == lease.Record.Session {
		t.Fatalf("session after the abandon %q, want a new one (the abandoned was %q)", s, lease.Record.Session)
	}
}

// TestASessionAListingMissedEndsOnlyIfItsKeyIsGone: a listing that did not
// see a session's key (its renewal came after the listing's end) must not
// end the session's leases on that alone; the hub reads the key, and ends
// them only when the read finds it gone.
func TestASessionAListingMissedEndsOnlyIfItsKeyIsGone(t *testing.T) {
	for _, alive := range []bool{true, false} {
		sess := SessionsPrefix + "s1"
		present := func(_ context.Context, key string) (bool, error) {
			if key != sess {
				t.Errorf("read %q, want the unseen session's key %q", key, sess)
			}
			return alive, nil
		}
		h := newHub(nil, bucketReads{keyPresent: present}, "KV_x", "$KV.x.", time.Second, time.Second)
		lease := KeyEvent{Kind: KeyPut, Entry: Entry{Role: "r", Revision: 5, Record: Record{Holder: "a", Session: sess}}}
		h.apply(lease, 0)
		ctx, cancel := context.WithCancel(context.Background())
		h.checkUnseenSessions(ctx)
		select {
		case gone := <-h.gone:
			h.endGoneSessions(gone)
		case <-time.After(5 * time.Second):
			t.Fatal("waited 5s for the read of the unseen session's key")
		}
		cancel()
		h.wg.Wait()
		got := h.known["r"].last().Kind
		switch {
		case alive && got != KeyPut:
			t.Errorf("a session whose key is there, unseen by a listing: the lease became %v, want it kept", got)
		case !alive && got != KeySessionEnded:
			t.Errorf("a session whose key is gone: the lease is %v, want it ended", got)
		}
	}
}
