package transport_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/batonhq/baton/transport/storetest"
	"github.com/nats-io/nats.go/jetstream"
)

// sessionOptions are the store options of the session tests: the contract
// suite's session settings.
func sessionOptions(replicas int) transport.Options {
	return transport.Options{
		Bucket:       transport.BucketConfig{Name: "sessions", Replicas: replicas},
		PollInterval: 500 * time.Millisecond,
		Session:      transport.SessionOptions{TTL: storetest.SessionTTL, Renew: storetest.SessionRenew},
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

// sessionFixture opens session stores on one server or cluster: a
// storetest.SessionHarness.
type sessionFixture struct {
	url      string
	replicas int
}

func (f sessionFixture) Open(t *testing.T) storetest.SessionStore {
	return openSessionStore(t, f.url, f.replicas)
}

func (f sessionFixture) Close(_ *testing.T, s storetest.SessionStore) {
	s.(*transport.JetStreamStore).Close()
}

// TestSessionContract runs the session clauses of the lease store's
// contract against every topology.
func TestSessionContract(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			storetest.RunSessions(t, sessionFixture{url: topo.start(t), replicas: topo.replicas}, nil)
		})
	}
}

// TestSessionRenewalsCostOneWritePerInterval holds 50 leases through one
// session: renewing all of them costs session writes, about one per
// renewal interval, not writes of their keys.
func TestSessionRenewalsCostOneWritePerInterval(t *testing.T) {
	store := openSessionStore(t, natstest.RunServer(t).URL(), 1)
	const roles = 50
	leases := make([]transport.Lease, roles)
	for i := range leases {
		l, err := store.Acquire(ctx(t), fmt.Sprintf("role-%d", i), record("a", time.Second))
		if err != nil {
			t.Fatalf("acquire role-%d: %v", i, err)
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
			leases[i] = next
		}
	}
	writes := store.Stats().SessionWrites - before
	if writes > 2*rounds+1 {
		t.Fatalf("%d renewals of %d leases over %d rounds cost %d session writes; want about one per round", rounds*roles, roles, rounds, writes)
	}
	t.Logf("%d renewals of %d leases over %d session intervals: %d session writes", rounds*roles, roles, rounds, writes)
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
	if ended.SessionEnd != 0 {
		t.Fatalf("the listing reported the session's end at %d; want 0, no message left", ended.SessionEnd)
	}
	if read, err := b.Read(ctx(t), "gone"); err != nil || read.Kind != transport.KeySessionEnded || read.SessionEnd != 0 {
		t.Fatalf("read of a lease whose session has no message left = %v (end %d), %v; want session_ended at 0", read.Kind, read.SessionEnd, err)
	}
	if _, err := b.TakeOver(ctx(t), "gone", record("b", time.Second), ended.Entry.Revision, session, 0); err != nil {
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

// TestStoreWithoutSessionsDoesNotTakeALiveSessionLease: a store without
// sessions on the same bucket reads a session lease as held while its
// session lives, and the same server-checked takeover is refused to it.
func TestStoreWithoutSessionsDoesNotTakeALiveSessionLease(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			url := topo.start(t)
			a := openSessionStore(t, url, topo.replicas)
			lease, err := a.Acquire(ctx(t), "held", record("a", time.Second))
			if err != nil {
				t.Fatal(err)
			}
			opts := sessionOptions(topo.replicas)
			opts.Session = transport.SessionOptions{}
			c, err := transport.Open(ctx(t), natstest.Connect(t, url), opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			if read, err := c.Read(ctx(t), "held"); err != nil || read.Kind != transport.KeyPut {
				t.Fatalf("read by a store without sessions while the session lives = %v, %v; want put", read.Kind, err)
			}
			if _, err := c.TakeOver(ctx(t), "held", record("c", time.Second), lease.Revision, lease.Record.Session, 0); !errors.Is(err, transport.ErrConflict) {
				t.Fatalf("takeover by a store without sessions while the session lives = %v, want ErrConflict", err)
			}
			if _, err := a.Renew(ctx(t), lease); err != nil {
				t.Fatalf("the holder's renewal after the refused takeover: %v", err)
			}
		})
	}
}

// TestSessionKeepsRegistryEntriesLive: in session mode a registry entry is
// written once, bound to the session, and leaves the order of succession
// when its session ends (its store stopped renewing), not by a TTL of its
// own that would need rewriting every TTL/3.
func TestSessionKeepsRegistryEntriesLive(t *testing.T) {
	url := natstest.RunServer(t).URL()
	a, b := openSessionStore(t, url, 1), openSessionStore(t, url, 1)
	orders := watchOrders(t, b, "reg")
	awaitOrder := func(what string, want ...string) {
		t.Helper()
		orders.await(t, 10*time.Second, what, want...)
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
