package transport_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go/jetstream"
)

// sessionOptions are the store options of the session tests: a 1s session
// renewed every 300ms, so an abandoned session ends within about 1.25s.
func sessionOptions(replicas int) transport.Options {
	return transport.Options{
		Bucket:       transport.BucketConfig{Name: "sessions", Replicas: replicas},
		PollInterval: 500 * time.Millisecond,
		Session:      transport.SessionOptions{TTL: time.Second, Renew: 300 * time.Millisecond},
	}
}

// openSessionStore opens a session store on its own connection to url.
func openSessionStore(t *testing.T, url string, replicas int) *transport.JetStreamStore {
	t.Helper()
	store, err := transport.Open(ctx(t), natstest.Connect(t, url), sessionOptions(replicas))
	if err != nil {
		t.Fatalf("open session store: %v", err)
	}
	t.Cleanup(store.Close)
	return store
}

// TestSessionKeepsManyLeasesWithOneWrite holds 50 leases through one
// session: renewing all of them costs session writes, not writes of their
// keys, whose revisions never move.
func TestSessionKeepsManyLeasesWithOneWrite(t *testing.T) {
	store := openSessionStore(t, natstest.RunServer(t).URL(), 1)
	const roles = 50
	leases := make([]transport.Lease, roles)
	for i := range leases {
		l, err := store.Acquire(ctx(t), fmt.Sprintf("role-%d", i), record("a", time.Second))
		if err != nil {
			t.Fatalf("acquire role-%d: %v", i, err)
		}
		if l.Record.Session != store.Session() || l.Proof.IsZero() {
			t.Fatalf("lease %+v: want bound to session %q with a proof", l, store.Session())
		}
		leases[i] = l
	}
	// Each round begins after the keepalive's next write, so the renewals
	// ask for proof while the last write ages across whole intervals.
	const rounds = 5
	before := store.Stats().SessionWrites
	for r := range rounds {
		mark := store.Stats().SessionWrites
		waitFor(t, 5*time.Second, fmt.Sprintf("session write %d", mark+1), func() bool { return store.Stats().SessionWrites > mark })
		for i, l := range leases {
			next, err := store.Renew(ctx(t), l)
			if err != nil {
				t.Fatalf("round %d: renew %s: %v", r, l.Role, err)
			}
			if next.Revision != l.Revision || next.Proof.Before(l.Proof) {
				t.Fatalf("renew %s: revision %d -> %d, proof %v -> %v: want the key untouched and the proof no older",
					l.Role, l.Revision, next.Revision, l.Proof, next.Proof)
			}
			leases[i] = next
		}
	}
	writes := store.Stats().SessionWrites - before
	if writes > 2*rounds+1 {
		t.Fatalf("%d renewals of %d leases over %d rounds cost %d session writes; want about one per round", rounds*roles, roles, rounds, writes)
	}
	t.Logf("%d renewals of %d leases over %d session intervals: %d session writes", rounds*roles, roles, rounds, writes)
	for _, l := range leases {
		e, err := store.Get(ctx(t), l.Role)
		if err != nil || e.Revision != l.Term {
			t.Fatalf("get %s = %+v, %v: want the key still at its acquisition revision %d", l.Role, e, err, l.Term)
		}
	}
}

// TestSessionLeaseIsNotTakenWhileItsSessionLives: another store sees the
// lease held, and its AcquireOver at the lease's revision (which a plain
// revision-checked write would win) is refused.
func TestSessionLeaseIsNotTakenWhileItsSessionLives(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			url := topo.start(t)
			a, b := openSessionStore(t, url, topo.replicas), openSessionStore(t, url, topo.replicas)
			lease, err := a.Acquire(ctx(t), "held", record("a", time.Second))
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.AcquireOver(ctx(t), "held", record("b", time.Second), lease.Revision)
			if !errors.Is(err, transport.ErrConflict) {
				t.Fatalf("takeover while the session lives = %v, want ErrConflict", err)
			}
			// A store without sessions on the same bucket is refused the same way.
			opts := sessionOptions(topo.replicas)
			opts.Session = transport.SessionOptions{}
			c, err := transport.Open(ctx(t), natstest.Connect(t, url), opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			if _, err := c.AcquireOver(ctx(t), "held", record("c", time.Second), lease.Revision); !errors.Is(err, transport.ErrConflict) {
				t.Fatalf("takeover by a store without sessions while the session lives = %v, want ErrConflict", err)
			}
			if _, err := a.Renew(ctx(t), lease); err != nil {
				t.Fatalf("the holder's renewal after the refused takeover: %v", err)
			}
		})
	}
}

// TestSessionLeaseIsTakenOverWhenItsSessionEnds: the holder's store closes
// without releasing (as a crashed process stops renewing); once the session
// key expires, a watcher is told the session ended and takes the lease over
// at the revision it saw, in one checked batch.
func TestSessionLeaseIsTakenOverWhenItsSessionEnds(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			url := topo.start(t)
			a, b := openSessionStore(t, url, topo.replicas), openSessionStore(t, url, topo.replicas)
			w := watchKey(t, b, "crash")
			lease, err := a.Acquire(ctx(t), "crash", record("a", time.Second))
			if err != nil {
				t.Fatal(err)
			}
			expectEvent(t, w, 5*time.Second, "a's lease", func(ev transport.KeyEvent) bool {
				return ev.Kind == transport.KeyPut && ev.Entry.Revision == lease.Revision
			})
			a.Close()
			ended := expectEvent(t, w, 10*time.Second, "the end of a's session", func(ev transport.KeyEvent) bool {
				return ev.Kind == transport.KeySessionEnded
			})
			if ended.Entry.Revision != lease.Revision || ended.Entry.Record.Holder != "a" {
				t.Fatalf("session end reported %+v, want a's lease at %d", ended.Entry, lease.Revision)
			}
			got, err := b.AcquireOver(ctx(t), "crash", record("b", time.Second), ended.Entry.Revision)
			if err != nil {
				t.Fatalf("takeover after the session ended: %v", err)
			}
			if got.Term <= lease.Term || got.Record.Session != b.Session() {
				t.Fatalf("takeover gave %+v, want a newer term under b's session", got)
			}
			taken := expectEvent(t, w, 5*time.Second, "b's lease", func(ev transport.KeyEvent) bool {
				return ev.Kind == transport.KeyPut && ev.Entry.Record.Holder == "b"
			})
			if taken.Entry.Revision != got.Revision {
				t.Fatalf("watch saw b's lease at %d, the takeover returned %d", taken.Entry.Revision, got.Revision)
			}
		})
	}
}

// TestSessionTakeoverAfterTheMarkerExpired: when even the session's expiry
// marker is gone, the session subject is empty, and the takeover expects
// exactly that.
func TestSessionTakeoverAfterTheMarkerExpired(t *testing.T) {
	url := natstest.RunServer(t).URL()
	a := openSessionStore(t, url, 1)
	lease, err := a.Acquire(ctx(t), "gone", record("a", time.Second))
	if err != nil {
		t.Fatal(err)
	}
	session := lease.Record.Session
	a.Close()
	// A store opened after the marker expired learns of the session's end
	// from its first listing, which does not find the session at all.
	js, err := jetstream.New(natstest.Connect(t, url))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx(t), "KV_sessions")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the session key and its expiry marker to be gone", func() bool {
		_, err := stream.GetLastMsgForSubject(ctx(t), "$KV.sessions."+session)
		return errors.Is(err, jetstream.ErrMsgNotFound)
	})
	b := openSessionStore(t, url, 1)
	w := watchKey(t, b, "gone")
	ended := expectEvent(t, w, 5*time.Second, "the session end found by the listing", func(ev transport.KeyEvent) bool {
		return ev.Kind == transport.KeySessionEnded
	})
	if _, err := b.AcquireOver(ctx(t), "gone", record("b", time.Second), ended.Entry.Revision); err != nil {
		t.Fatalf("takeover with no message left on the session key: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after timeout with
// what was awaited. It serves conditions that raise no event (a counter).
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond) // the condition has no event to wait on
	}
}

// TestSessionKeepsRegistryEntriesLive: in session mode a registry entry is
// written once, bound to the session, and leaves the order of succession
// when its session ends (its store stopped renewing), not by a TTL of its
// own that would need rewriting every TTL/3.
func TestSessionKeepsRegistryEntriesLive(t *testing.T) {
	url := natstest.RunServer(t).URL()
	a, b := openSessionStore(t, url, 1), openSessionStore(t, url, 1)
	orders := make(chan []transport.Candidate, 64)
	w, err := b.WatchCandidates("reg", func(cs []transport.Candidate) {
		select {
		case orders <- cs:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	awaitOrder := func(what string, want ...string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		var last []transport.Candidate
		for {
			select {
			case cs := <-orders:
				last = cs
				if sameIDs(cs, want) {
					return
				}
			case <-deadline:
				t.Fatalf("waited 10s for %s (order %v); last saw %+v", what, want, last)
			}
		}
	}
	register := func(store *transport.JetStreamStore, id string) {
		r, err := store.Register("reg", transport.Candidate{InstanceID: id}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Stop)
	}
	register(a, "a")
	awaitOrder("a registered", "a")
	register(b, "b")
	awaitOrder("both registered, a first", "a", "b")
	if cs := b.Candidates("reg"); len(cs) != 2 || cs[0].Session != a.Session() || cs[1].Session != b.Session() {
		t.Fatalf("entries %+v, want each bound to its store's session", cs)
	}
	writes := b.Stats().SessionWrites
	waitFor(t, 5*time.Second, "three session writes, three times the entries' lease TTL/3", func() bool { return b.Stats().SessionWrites >= writes+3 })
	if cs := b.Candidates("reg"); len(cs) != 2 || cs[0].Joined == 0 {
		t.Fatalf("entries %+v after several renewals, want both still live", cs)
	}
	a.Close() // a's session is no longer renewed; its entry stays in the bucket
	awaitOrder("a's entry to leave with its session", "b")
}
