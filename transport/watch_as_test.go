package transport_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/batonhq/baton/transport/storetest"
)

// TestBystandersHearTheSuccessorsClaim: watches made for candidates that
// take no part in a handover, enough of them on one store for their
// changes to be deferred, hear of it late but do hear it, in revision
// order, ending with the successor's claim.
func TestBystandersHearTheSuccessorsClaim(t *testing.T) {
	f := newFixture(t, natstest.RunServer(t).URL(), 1)
	var bystanders []*storetest.Watched
	for i := range 16 {
		bystanders = append(bystanders, watchKey(t, f.store, "handover", transport.WatchAs(fmt.Sprintf("c%d", i))))
	}
	lease, err := f.store.Acquire(ctx(t), "handover", record("a", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range bystanders {
		expectEvent(t, w, 5*time.Second, "a's acquisition", func(ev transport.KeyEvent) bool { return ev.Entry.Revision == lease.Revision })
	}
	offer, err := f.store.Offer(ctx(t), lease, "b")
	if err != nil {
		t.Fatalf("offer: %v", err)
	}
	claimed, err := f.store.WriteOver(ctx(t), "handover", record("b", 5*time.Second), offer.Revision)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	for i, w := range bystanders {
		last := lease.Revision
		expectEvent(t, w, 5*time.Second, "b's claim", func(ev transport.KeyEvent) bool {
			if ev.Entry.Revision <= last {
				t.Errorf("bystander %d heard revision %d after %d: out of order", i, ev.Entry.Revision, last)
			}
			last = ev.Entry.Revision
			return ev.Entry.Revision == claimed.Revision && ev.Entry.Record.Holder == "b"
		})
	}
}
