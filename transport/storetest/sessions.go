package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/transport"
)

// The session clauses: a store in session mode (transport.Options.Session)
// keeps every lease it holds with one session key, and a lease is taken
// over only once that session has ended, as the server checks.

// The session settings every SessionHarness opens its stores with: an
// abandoned session ends within about SessionTTL plus the server's 250ms
// expiry sweep.
const (
	SessionTTL   = time.Second
	SessionRenew = 300 * time.Millisecond
)

// SessionStore is a store in session mode.
type SessionStore interface {
	transport.LeaseStore
	// TakeOver is transport.Succession's: it takes over a lease whose
	// session ended, checked by the server against the session's end.
	TakeOver(ctx context.Context, role string, rec transport.Record, revision uint64, session string, end uint64) (transport.Lease, error)
	// Session is the key of the store's live session, or "".
	Session() string
}

// SessionHarness opens stores in session mode on one fresh bucket, with
// SessionTTL and SessionRenew.
type SessionHarness interface {
	// Open opens a store as another process would; it is closed when the
	// test ends.
	Open(t *testing.T) SessionStore
	// Close closes s: it stops renewing its session and releases nothing,
	// as a crashed process.
	Close(t *testing.T, s SessionStore)
}

// RunSessions runs the session clauses against h, one subtest per clause;
// skip is as for Run.
func RunSessions(t *testing.T, h SessionHarness, skip map[string]string) {
	clauses := []struct {
		name string
		run  func(*testing.T, SessionHarness)
	}{
		{"OneSessionKeepsManyLeases", contractOneSessionKeepsMany},
		{"NoTakeoverWhileSessionLives", contractNoTakeoverWhileAlive},
		{"TakeoverWhenSessionEnds", contractTakeoverWhenEnded},
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

// contractOneSessionKeepsMany holds many leases through one session for
// more than two session TTLs, renewing them every SessionRenew as an
// election would: the renewals write none of their keys, and each returns
// a proof no older than SessionRenew/2 before the renewal was asked for.
func contractOneSessionKeepsMany(t *testing.T, h SessionHarness) {
	const roles = 20
	store := h.Open(t)
	w := WatchKey(t, store, "many-0")
	leases := make([]transport.Lease, roles)
	for i := range leases {
		l, err := store.Acquire(Context(t), fmt.Sprintf("many-%d", i), Record("a", SessionTTL))
		if err != nil {
			t.Fatalf("acquire many-%d: %v", i, err)
		}
		if l.Record.Session == "" || l.Record.Session != store.Session() || l.Proof.IsZero() {
			t.Fatalf("lease %+v: want bound to the live session %q, with a proof", l, store.Session())
		}
		leases[i] = l
	}
	ExpectEvent(t, w, 5*time.Second, "the put of many-0", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyPut })
	first := leases[0].Proof
	// The heartbeat: an election renews every interval, whatever happens.
	beat := time.NewTicker(SessionRenew)
	defer beat.Stop()
	for deadline := time.Now().Add(10 * SessionTTL); leases[0].Proof.Sub(first) <= 2*SessionTTL; <-beat.C {
		if time.Now().After(deadline) {
			t.Fatalf("the proof moved %v in %v of renewals, want past 2×%v", leases[0].Proof.Sub(first), 10*SessionTTL, SessionTTL)
		}
		for i, l := range leases {
			asked := time.Now()
			next, err := store.Renew(Context(t), l)
			if err != nil {
				t.Fatalf("renew %s: %v", l.Role, err)
			}
			if next.Revision != l.Revision || next.Term != l.Term || next.Proof.Before(l.Proof) {
				t.Fatalf("renew %s: revision %d -> %d, proof %v -> %v: want the key untouched and the proof no older",
					l.Role, l.Revision, next.Revision, l.Proof, next.Proof)
			}
			if early := asked.Sub(next.Proof); early > SessionRenew/2 || next.Proof.After(time.Now()) {
				t.Fatalf("renew %s: proof sent %v before the renewal was asked for, want at most %v", l.Role, early, SessionRenew/2)
			}
			leases[i] = next
		}
	}
	for _, l := range leases {
		e, err := store.Get(Context(t), l.Role)
		if err != nil || e.Revision != l.Term || e.Record.Session != l.Record.Session {
			t.Fatalf("get %s = %+v, %v: want the key still at its acquisition revision %d", l.Role, e, err, l.Term)
		}
	}
	select {
	case ev := <-w.Events:
		t.Fatalf("many-0 changed while its session kept it: %v at %d", ev.Kind, ev.Entry.Revision)
	default:
	}
}

// contractNoTakeoverWhileAlive: while the holder's session lives, a second
// store's Read shows the lease held (not its session ended), and a
// takeover at the lease's revision, which a plain revision-checked write
// would win, is refused by the server: the session key has a message
// after the end it expects. The lease stays the holder's.
func contractNoTakeoverWhileAlive(t *testing.T, h SessionHarness) {
	a, b := h.Open(t), h.Open(t)
	lease, err := a.Acquire(Context(t), "held", Record("a", SessionTTL))
	if err != nil {
		t.Fatal(err)
	}
	read, err := b.Read(Context(t), "held")
	if err != nil || read.Kind != transport.KeyPut || read.Entry.Revision != lease.Revision {
		t.Fatalf("read while the session lives = %v %+v, %v; want the lease held at %d", read.Kind, read.Entry, err, lease.Revision)
	}
	if _, err := b.TakeOver(Context(t), "held", Record("b", SessionTTL), lease.Revision, lease.Record.Session, 0); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("takeover while the session lives: err = %v, want ErrConflict", err)
	}
	if _, err := a.Renew(Context(t), lease); err != nil {
		t.Fatalf("the holder's renewal after the refused takeover: %v", err)
	}
	got, err := b.Get(Context(t), "held")
	if err != nil || got.Record.Holder != "a" || got.Revision != lease.Revision {
		t.Fatalf("after the refused takeover the key holds %+v, %v; want a's lease at %d", got, err, lease.Revision)
	}
}

// contractTakeoverWhenEnded: the holder's store closes without releasing;
// once its session ends a watcher on another store is told so, at the
// lease's revision, and takes the lease over there with a newer term.
func contractTakeoverWhenEnded(t *testing.T, h SessionHarness) {
	a, b := h.Open(t), h.Open(t)
	w := WatchKey(t, b, "crash")
	lease, err := a.Acquire(Context(t), "crash", Record("a", SessionTTL))
	if err != nil {
		t.Fatal(err)
	}
	ExpectEvent(t, w, 5*time.Second, "a's lease", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeyPut && ev.Entry.Revision == lease.Revision
	})
	h.Close(t, a)
	ended := ExpectEvent(t, w, 10*SessionTTL, "the end of a's session", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeySessionEnded
	})
	if !ended.Kind.Free() || ended.Entry.Revision != lease.Revision || ended.Entry.Record.Holder != "a" {
		t.Fatalf("session end reported %v %+v, want a free key holding a's lease at %d", ended.Kind, ended.Entry, lease.Revision)
	}
	read, err := b.Read(Context(t), "crash")
	if err != nil || read.Kind != transport.KeySessionEnded || read.Entry.Revision != lease.Revision || read.SessionEnd != ended.SessionEnd {
		t.Fatalf("read after the session ended = %v %+v (end %d), %v; want the lease at %d with its session ended at %d",
			read.Kind, read.Entry, read.SessionEnd, err, lease.Revision, ended.SessionEnd)
	}
	got, err := b.TakeOver(Context(t), "crash", Record("b", SessionTTL), ended.Entry.Revision, ended.Entry.Record.Session, ended.SessionEnd)
	if err != nil {
		t.Fatalf("takeover after the session ended: %v", err)
	}
	if got.Term <= lease.Term || got.Record.Session == "" || got.Record.Session != b.Session() || got.Proof.IsZero() {
		t.Fatalf("takeover gave %+v, want a term newer than %d under b's session %q, with a proof", got, lease.Term, b.Session())
	}
	taken := ExpectEvent(t, w, 5*time.Second, "b's lease", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeyPut && ev.Entry.Record.Holder == "b"
	})
	if taken.Entry.Revision != got.Revision {
		t.Fatalf("watch saw b's lease at %d, the takeover returned %d", taken.Entry.Revision, got.Revision)
	}
}
