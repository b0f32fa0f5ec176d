package transport_test

import (
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
)

func TestReservedNamespaceIsRefusedForRoles(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	for _, role := range []string{"_baton.candidates.x.eA", "_baton", "_baton.x"} {
		if transport.ValidRole(role) {
			t.Errorf("ValidRole(%q) = true, want false (reserved)", role)
		}
		if _, err := f.store.Acquire(ctx(t), role, record("a", time.Second)); !errors.Is(err, transport.ErrInvalidRole) {
			t.Errorf("Acquire(%q) = %v, want ErrInvalidRole", role, err)
		}
	}
	if !transport.ValidRole("_batonish") {
		t.Error("ValidRole(_batonish) = false: only the namespace is reserved")
	}
}

// TestWriteOverAMarkerIsOneCheckedWrite: a write over a delete marker
// wins at the marker's revision, and at a stale revision it is refused,
// with no fallback to another write: the election reads the key back and
// chooses its next write (fsm's acquisition rows).
func TestWriteOverAMarkerIsOneCheckedWrite(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	w := watchKey(t, f.store, "over")
	lease, err := f.store.Acquire(ctx(t), "over", record("a", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Release(ctx(t), lease); err != nil {
		t.Fatal(err)
	}
	marker := expectEvent(t, w, 5*time.Second, "the delete marker", func(ev transport.KeyEvent) bool { return ev.Kind == transport.KeyDeleted })
	got, err := f.store.WriteOver(ctx(t), "over", record("b", 5*time.Second), marker.Entry.Revision)
	if err != nil {
		t.Fatalf("acquire over the marker at %d: %v", marker.Entry.Revision, err)
	}
	if got.Term <= marker.Entry.Revision {
		t.Fatalf("term %d, want more than the marker's %d", got.Term, marker.Entry.Revision)
	}
	if _, err := f.store.WriteOver(ctx(t), "over", record("c", 5*time.Second), marker.Entry.Revision); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("write over a stale revision of a held key = %v, want ErrConflict", err)
	}
	read, err := f.store.Read(ctx(t), "over")
	if err != nil || read.Kind != transport.KeyPut || read.Entry.Record.Holder != "b" || read.Entry.Revision != got.Revision {
		t.Fatalf("read after the refused write = %v %+v, %v; want b's lease at %d", read.Kind, read.Entry, err, got.Revision)
	}
}

func TestOfferIsClaimedOnlyByItsSuccessorOrExpires(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	w := watchKey(t, f.store, "handover")
	lease, err := f.store.Acquire(ctx(t), "handover", record("a", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	offer, err := f.store.Offer(ctx(t), lease, "b")
	if err != nil {
		t.Fatalf("offer: %v", err)
	}
	ev := expectEvent(t, w, 5*time.Second, "the offer", func(ev transport.KeyEvent) bool { return ev.Entry.Revision == offer.Revision })
	if r := ev.Entry.Record; r.OfferedTo != "b" || r.Holder != "a" || r.Nonce != lease.Record.Nonce || ev.Entry.Term() != lease.Term {
		t.Fatalf("offer reads %+v (term %d); want a's lease offered to b", r, ev.Entry.Term())
	}
	if _, err := f.store.Acquire(ctx(t), "handover", record("c", 5*time.Second)); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("a create over the offer = %v, want ErrConflict", err)
	}
	claimed, err := f.store.WriteOver(ctx(t), "handover", record("b", 5*time.Second), offer.Revision)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if claimed.Term <= lease.Term {
		t.Fatalf("claimed term %d, want more than %d: the token must grow", claimed.Term, lease.Term)
	}

	// An offer nobody claims frees the key within OfferTTL and the
	// server's expiry sweep.
	offer, err = f.store.Offer(ctx(t), claimed, "nobody")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	expectEvent(t, w, 5*time.Second, "the unclaimed offer's expiry", func(ev transport.KeyEvent) bool {
		return ev.Kind.Free() && ev.Entry.Revision > offer.Revision
	})
	if d := time.Since(start); d > transport.OfferTTL+time.Second {
		t.Fatalf("unclaimed offer freed after %v, want within %v", d, transport.OfferTTL+time.Second)
	}
}

func TestConfirmReadsTheClaimBackWithItsStamp(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	w := watchKey(t, f.store, "confirm")
	lease, err := f.store.Acquire(ctx(t), "confirm", record("a", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	offer, err := f.store.Offer(ctx(t), lease, "b")
	if err != nil {
		t.Fatal(err)
	}
	offered := expectEvent(t, w, 5*time.Second, "the offer", func(ev transport.KeyEvent) bool { return ev.Entry.Revision == offer.Revision })
	claim, err := f.store.WriteOver(ctx(t), "confirm", record("b", 5*time.Second), offer.Revision)
	if err != nil {
		t.Fatal(err)
	}
	confirmed, err := f.store.Confirm(ctx(t), claim)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if confirmed.Revision != claim.Revision || confirmed.Stored.Before(offered.Entry.Written) {
		t.Fatalf("read back %+v: want the claim at %d, stored no earlier than the offer (%v)", confirmed, claim.Revision, offered.Entry.Written)
	}
	// Once the key has moved on (the claim erased, or overtaken), the
	// read-back is a conflict.
	if err := f.store.Release(ctx(t), claim); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Confirm(ctx(t), claim); !errors.Is(err, transport.ErrConflict) {
		t.Fatalf("confirm after the key moved on = %v, want ErrConflict", err)
	}
}

func TestRegistryOrdersCandidatesAndForgetsThoseThatStop(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	orders := watchOrders(t, f.store, "reg")
	register := func(id string, priority int) transport.Watch {
		r, err := f.store.Register("reg", transport.Candidate{InstanceID: id, Priority: priority}, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Stop)
		return r
	}
	awaitOrder := func(want ...string) {
		t.Helper()
		orders.await(t, 5*time.Second, "the order of succession", want...)
	}
	register("old", 0)
	awaitOrder("old")
	register("young.host:1", 0)
	awaitOrder("old", "young.host:1")
	boss := register("boss", 5)
	awaitOrder("boss", "old", "young.host:1")
	if got := f.store.Candidates("reg"); !sameIDs(got, []string{"boss", "old", "young.host:1"}) {
		t.Fatalf("Candidates = %+v", got)
	}
	boss.Stop()
	awaitOrder("old", "young.host:1")
	if got := f.second(t).Candidates("other-role"); len(got) != 0 {
		t.Fatalf("another role's registry = %+v, want empty", got)
	}
}

// orderWatch is a role's order of succession as WatchCandidates reports it.
type orderWatch chan []transport.Candidate

// watchOrders follows role's registry on store until the test ends.
func watchOrders(t *testing.T, store *transport.JetStreamStore, role string) orderWatch {
	t.Helper()
	orders := make(orderWatch, 64)
	w, err := store.WatchCandidates(role, func(cs []transport.Candidate) {
		select {
		case orders <- cs:
		default: // notify must not block; await reports what it last saw
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return orders
}

// await waits up to timeout for the order want, failing with what.
func (o orderWatch) await(t *testing.T, timeout time.Duration, what string, want ...string) {
	t.Helper()
	deadline := time.After(timeout)
	var last []transport.Candidate
	for {
		select {
		case cs := <-o:
			last = cs
			if sameIDs(cs, want) {
				return
			}
		case <-deadline:
			t.Fatalf("waited %v for %s (order %v); last saw %+v", timeout, what, want, last)
		}
	}
}

// sameIDs reports whether cs names want, in order.
func sameIDs(cs []transport.Candidate, want []string) bool {
	if len(cs) != len(want) {
		return false
	}
	for i, c := range cs {
		if c.InstanceID != want[i] {
			return false
		}
	}
	return true
}
