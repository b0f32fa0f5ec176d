package transport_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
)

// TestABystanderHearsTheSuccessorsClaim: a watch made for a candidate that
// takes no part in a handover hears of it late but does hear it, in
// revision order, ending with the successor's claim.
func TestABystanderHearsTheSuccessorsClaim(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	bystander := watchKey(t, f.store, "handover", transport.WatchAs("c"))
	lease, err := f.store.Acquire(ctx(t), "handover", record("a", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	expectEvent(t, bystander, 5*time.Second, "a's acquisition", func(ev transport.KeyEvent) bool { return ev.Entry.Revision == lease.Revision })
	offer, err := f.store.Offer(ctx(t), lease, "b")
	if err != nil {
		t.Fatalf("offer: %v", err)
	}
	claimed, err := f.store.WriteOver(ctx(t), "handover", record("b", 5*time.Second), offer.Revision)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	last := lease.Revision
	expectEvent(t, bystander, 5*time.Second, "b's claim", func(ev transport.KeyEvent) bool {
		if ev.Entry.Revision <= last {
			t.Errorf("bystander heard revision %d after %d: out of order", ev.Entry.Revision, last)
		}
		last = ev.Entry.Revision
		return ev.Entry.Revision == claimed.Revision && ev.Entry.Record.Holder == "b"
	})
}
