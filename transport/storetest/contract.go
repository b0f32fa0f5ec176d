// Package storetest is the contract every transport.LeaseStore must keep,
// as a test suite that runs against any implementation: the JetStream store
// on a single server and on a cluster (transport's tests), and the model of
// the store the deterministic simulation uses (internal/sim's tests), so the
// model cannot drift from NATS.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/transport"
)

// Harness is one store under test on a fresh bucket, with the means to set
// up states the store itself never writes.
type Harness interface {
	// Store is the store under test.
	Store() transport.LeaseStore
	// Second opens another store on the same bucket, as another process
	// would; it is closed when the test ends.
	Second(t *testing.T) transport.LeaseStore
	// DeleteKey deletes the role's key whatever its revision, as an
	// operator would behind the holder's back.
	DeleteKey(t *testing.T, role string)
	// PutRaw writes value to the role's key whatever it holds, as another
	// program sharing the bucket would.
	PutRaw(t *testing.T, role string, value []byte)
}

// Run runs the contract suite against h, one subtest per clause. skip names
// subtests the store cannot honestly run (a model without a part of the
// contract); each is skipped with its reason.
func Run(t *testing.T, h Harness, skip map[string]string) {
	clauses := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"AcquireRenewRelease", contractAcquireRenewRelease},
		{"ConflictsAreClassified", contractConflicts},
		{"CreateOverTombstoneRace", contractTombstoneRace},
		{"RenewedKeyExpiresAfterTTL", contractExpiry},
		{"StaleReleaseKeepsSuccessor", contractStaleRelease},
		{"ReleaseAtAStaleRevisionIsRefusedAndReadShowsTheRenewal", contractReleaseRacingRenewal},
		{"BadInput", contractBadInput},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := skip[c.name]; ok {
				t.Skip(why)
			}
			c.run(t, h)
		})
	}
}

// Context bounds one test operation: 5s, cancelled when the test ends.
func Context(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

// Record is a lease record for holder with a nonce of its own.
func Record(holder string, ttl time.Duration) transport.Record {
	return transport.Record{Holder: holder, Nonce: holder + "-nonce", TTL: ttl, AcquiredAt: time.Now()}
}

// Watched is a watch whose events a test reads from a channel.
type Watched struct {
	transport.Watch
	// Role is the key watched.
	Role string
	// Events delivers the watch's events; ExpectEvent reads it.
	Events   chan transport.KeyEvent
	overflow atomic.Bool
}

// WatchKey watches role on store, with opts, until the test ends.
func WatchKey(t testing.TB, store transport.LeaseStore, role string, opts ...transport.WatchOption) *Watched {
	t.Helper()
	w := &Watched{Role: role, Events: make(chan transport.KeyEvent, 4096)}
	var err error
	w.Watch, err = store.Watch(role, func(ev transport.KeyEvent) {
		select {
		case w.Events <- ev:
		default: // notify must not block; expectEvent reports the loss
			w.overflow.Store(true)
		}
	}, opts...)
	if err != nil {
		t.Fatalf("watch %q: %v", role, err)
	}
	t.Cleanup(w.Stop)
	return w
}

// ExpectEvent waits for the next event on w matching want.
func ExpectEvent(t *testing.T, w *Watched, timeout time.Duration, what string, want func(transport.KeyEvent) bool) transport.KeyEvent {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var seen []string
	for {
		select {
		case ev := <-w.Events:
			if want(ev) {
				return ev
			}
			seen = append(seen, fmt.Sprintf("%v@%d", ev.Kind, ev.Entry.Revision))
		case <-deadline.C:
			t.Fatalf("waited %v for %s on %q; saw %v (events lost to a full buffer: %v)", timeout, what, w.Role, seen, w.overflow.Load())
		}
	}
}

func contractAcquireRenewRelease(t *testing.T, h Harness) {
	role := "arr"
	w := WatchKey(t, h.Store(), role)
	ExpectEvent(t, w, 5*time.Second, "initial state: absent", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyAbsent })

	lease, err := h.Store().Acquire(Context(t), role, Record("a", 5*time.Second))
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	if lease.Term == 0 || lease.Term != lease.Revision {
		t.Fatalf("fresh lease: term %d revision %d, want equal and non-zero", lease.Term, lease.Revision)
	}
	ExpectEvent(t, w, 5*time.Second, "put of the acquired lease", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeyPut && ev.Entry.Revision == lease.Revision && ev.Entry.Record.Holder == "a"
	})

	renewed, err := h.Store().Renew(Context(t), lease)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	if renewed.Revision <= lease.Revision || renewed.Term != lease.Term {
		t.Fatalf("renewed lease %+v: want a higher revision and the same term %d", renewed, lease.Term)
	}
	got, err := h.Store().Get(Context(t), role)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Malformed != nil || got.Record.Holder != "a" || got.Term() != lease.Term || got.Revision != renewed.Revision {
		t.Fatalf("get after renew = %+v, want holder a, term %d, revision %d", got, lease.Term, renewed.Revision)
	}

	if err := h.Store().Release(Context(t), renewed); err != nil {
		t.Fatalf("release: %v", err)
	}
	ExpectEvent(t, w, 5*time.Second, "delete after release", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyDeleted })
	if _, err := h.Store().Get(Context(t), role); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("get after release: err = %v, want ErrNotFound", err)
	}
}

func contractConflicts(t *testing.T, h Harness) {
	role := "conflicts"
	other := h.Second(t)
	lease, err := h.Store().Acquire(Context(t), role, Record("a", 5*time.Second))
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	if _, err := other.Acquire(Context(t), role, Record("b", 5*time.Second)); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("second acquire: err = %v, want ErrConflict", err)
	}
	renewed, err := h.Store().Renew(Context(t), lease)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	if _, err := other.Renew(Context(t), lease); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("renew at a superseded revision: err = %v, want ErrConflict", err)
	}
	otherTerm := lease
	otherTerm.Record.Nonce = "another-term"
	if err := other.Release(Context(t), otherTerm); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("release of another term's lease at a superseded revision: err = %v, want ErrConflict", err)
	}
	if err := h.Store().Release(Context(t), renewed); err != nil {
		t.Fatalf("release: %v", err)
	}
	if _, err := h.Store().Renew(Context(t), renewed); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("renew after release: err = %v, want ErrConflict", err)
	}
}

// contractTombstoneRace has many writers create the key over a delete
// marker at once. Create retries over the tombstone inside nats.go, and on
// a replicated bucket the retry's conflict arrives as raw API error 10164:
// every loser must still see ErrConflict and exactly one must win.
func contractTombstoneRace(t *testing.T, h Harness) {
	const writers, rounds = 8, 5
	role := "tombstone"
	stores := []transport.LeaseStore{h.Store()}
	for range writers - 1 {
		stores = append(stores, h.Second(t))
	}
	for round := range rounds {
		seed, err := h.Store().Acquire(Context(t), role, Record("seed", 5*time.Second))
		if err != nil {
			t.Fatalf("round %d: seed acquire: %v", round, err)
		}
		if err := h.Store().Release(Context(t), seed); err != nil {
			t.Fatalf("round %d: seed release: %v", round, err)
		}
		var wg sync.WaitGroup
		leases := make([]transport.Lease, writers)
		errs := make([]error, writers)
		for i, s := range stores {
			wg.Go(func() {
				leases[i], errs[i] = s.Acquire(Context(t), role, Record(fmt.Sprintf("w%d", i), 5*time.Second))
			})
		}
		wg.Wait()
		winners := 0
		var won transport.Lease
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
				won = leases[i]
			case !errors.Is(err, transport.ErrConflict):
				t.Fatalf("round %d: writer %d: err = %v (class %v), want ErrConflict", round, i, err, transport.ClassOf(err))
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d writers won the race, want exactly 1", round, winners)
		}
		if err := h.Store().Release(Context(t), won); err != nil {
			t.Fatalf("round %d: release winner: %v", round, err)
		}
	}
}

// contractExpiry renews a key a few times, stops, and checks the key expires
// one TTL after the last renewal (kv.Update would have dropped the TTL) and
// that a watcher hears of it promptly.
func contractExpiry(t *testing.T, h Harness) {
	const ttl = time.Second
	role := "expiry"
	w := WatchKey(t, h.Store(), role)
	lease, err := h.Store().Acquire(Context(t), role, Record("a", ttl))
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	var sent, acked time.Time
	for range 3 {
		sent = time.Now()
		lease, err = h.Store().Renew(Context(t), lease)
		if err != nil {
			t.Fatalf("renew: %v", err)
		}
		acked = time.Now()
	}
	marker := ExpectEvent(t, w, 3*ttl, "expiry of the renewed key", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyPurged })
	seen := time.Now()
	expired := marker.Entry.Written // when the server wrote the expiry marker
	if early := expired.Sub(sent); early < ttl {
		t.Errorf("key expired %v after the last renewal was sent, before its TTL %v", early, ttl)
	}
	// The server sweeps expired messages at most every 250ms, so expiry
	// itself may come up to that late; the watcher must add little to it.
	if late := expired.Sub(acked); late > ttl+500*time.Millisecond {
		t.Errorf("key expired %v after the last renewal's ack, want within TTL %v + the server's 250ms sweep", late, ttl)
	}
	if lag := seen.Sub(expired); lag > 250*time.Millisecond {
		t.Errorf("watcher saw the expiry %v after the server wrote its marker, want within 250ms", lag)
	}
	t.Logf("key expired %v after the last renewal was sent (TTL %v); watcher saw it %v later",
		expired.Sub(sent), ttl, seen.Sub(expired))
	if _, err := h.Store().Get(Context(t), role); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("get after expiry: err = %v, want ErrNotFound", err)
	}
}

func contractStaleRelease(t *testing.T, h Harness) {
	role := "stale-release"
	first, err := h.Store().Acquire(Context(t), role, Record("a", 5*time.Second))
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	// An operator (or the TTL) removes a's key and b takes over; a never
	// learned and tries to release its old lease.
	h.DeleteKey(t, role)
	successor, err := h.Second(t).Acquire(Context(t), role, Record("b", 5*time.Second))
	if err != nil {
		t.Fatalf("successor acquire: %v", err)
	}
	if err := h.Store().Release(Context(t), first); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("stale release: err = %v, want ErrConflict", err)
	}
	// Read, not Get: a replica's copy may not show the successor yet.
	got, err := h.Store().Read(Context(t), role)
	if err != nil || got.Kind != transport.KeyPut || got.Entry.Record.Holder != "b" || got.Entry.Revision != successor.Revision {
		t.Fatalf("successor's key after a stale release: %+v, %v; want held by b at %d", got, err, successor.Revision)
	}
	if err := h.Store().Release(Context(t), successor); err != nil {
		t.Fatalf("successor release: %v", err)
	}
}

// contractReleaseRacingRenewal releases with the revision from before a
// renewal, as a holder does whose renewal's answer was lost: the delete is
// refused and leaves the renewed lease in place, and Read shows the lease
// at its new revision, where the holder's release then frees the key. (The
// decision to read back and release again is the election's, a row of its
// decision core.)
func contractReleaseRacingRenewal(t *testing.T, h Harness) {
	role := "release-racing-renewal"
	w := WatchKey(t, h.Store(), role)
	lease, err := h.Store().Acquire(Context(t), role, Record("a", 10*time.Second))
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	renewed, err := h.Store().Renew(Context(t), lease)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	if err := h.Store().Release(Context(t), lease); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("release with the pre-renewal revision %d (latest %d): err = %v, want ErrConflict", lease.Revision, renewed.Revision, err)
	}
	read, err := h.Store().Read(Context(t), role)
	if e := read.Entry; err != nil || read.Kind != transport.KeyPut || e.Revision != renewed.Revision || e.Record.Holder != "a" || e.Term() != lease.Term {
		t.Fatalf("read after the refused release = %+v, %v; want the renewed lease at revision %d, term %d", read, err, renewed.Revision, lease.Term)
	}
	lease.Revision = read.Entry.Revision
	if err := h.Store().Release(Context(t), lease); err != nil {
		t.Fatalf("release at the revision read: %v", err)
	}
	if gone, err := h.Store().Read(Context(t), role); err != nil || gone.Kind != transport.KeyDeleted || gone.Entry.Revision <= renewed.Revision {
		t.Fatalf("read after release = %+v, %v; want the delete marker after revision %d", gone, err, renewed.Revision)
	}
	ExpectEvent(t, w, 5*time.Second, "delete of the renewed lease", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeyDeleted && ev.Entry.Revision > renewed.Revision
	})
}

func contractBadInput(t *testing.T, h Harness) {
	for _, role := range []string{"", "a b", ".a", "a.", "a*", "a>"} {
		if _, err := h.Store().Acquire(Context(t), role, Record("a", time.Second)); !errors.Is(err, transport.ErrInvalidRole) || !errors.Is(err, transport.ErrPermanent) {
			t.Errorf("acquire role %q: err = %v, want ErrInvalidRole and ErrPermanent", role, err)
		}
		if _, err := h.Store().Watch(role, func(transport.KeyEvent) {}); !errors.Is(err, transport.ErrInvalidRole) {
			t.Errorf("watch role %q: err = %v, want ErrInvalidRole", role, err)
		}
	}
	for _, ttl := range []time.Duration{0, 200 * time.Millisecond, 1500 * time.Millisecond} {
		if _, err := h.Store().Acquire(Context(t), "ttl", Record("a", ttl)); !errors.Is(err, transport.ErrInvalidTTL) {
			t.Errorf("acquire with TTL %v: err = %v, want ErrInvalidTTL", ttl, err)
		}
	}

	role := "garbage"
	w := WatchKey(t, h.Store(), role)
	h.PutRaw(t, role, []byte("not a lease {"))
	ev := ExpectEvent(t, w, 5*time.Second, "put of the garbage value", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyPut })
	if !errors.Is(ev.Entry.Malformed, transport.ErrMalformedRecord) {
		t.Fatalf("Watched garbage: Malformed = %v, want ErrMalformedRecord", ev.Entry.Malformed)
	}
	got, err := h.Store().Get(Context(t), role)
	if err != nil || !errors.Is(got.Malformed, transport.ErrMalformedRecord) {
		t.Fatalf("get garbage = %+v, %v; want an entry marked malformed", got, err)
	}
	if _, err := h.Store().Acquire(Context(t), role, Record("a", time.Second)); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("acquire over garbage: err = %v, want ErrConflict (a foreign holder is not a free key)", err)
	}
	if err := h.Store().Release(Context(t), transport.Lease{Role: role, Record: Record("a", time.Second)}); !errors.Is(err, transport.ErrPermanent) {
		t.Fatalf("release at revision 0: err = %v, want ErrPermanent", err)
	}
}
