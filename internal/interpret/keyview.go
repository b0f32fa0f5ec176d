package interpret

import (
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// ForeignHolder is the holder the core is shown for a key that holds
// something that is not a lease record.
const ForeignHolder = "<foreign>"

// KeyView is what the core sees of a watch event or a read: a marker, no
// message, or a lease whose session ended is free (the last with its
// session and end, which a takeover expects); an offer, free or not, is
// Expiring with the server's stamp (its own short TTL can erase a write
// over it); a lease of instance's under the store's own live session
// (KeyEvent.OurSession) is Ours, unless it is on offer: its successor may
// claim it, and it frees itself within transport.OfferTTL, so it is not a
// term its old holder lost track of. Taken for one, the old holder, held
// back from leading by its resign hold-off, released its own offer before
// the successor's claim landed, and led again a second later.
func KeyView(ev transport.KeyEvent, instance string) fsm.KeyView {
	k := fsm.KeyView{Free: ev.Kind.Free(), Revision: ev.Entry.Revision}
	rec := ev.Entry.Record
	if ev.Entry.Malformed == nil && rec.OfferedTo != "" && (ev.Kind == transport.KeyPut || ev.Kind == transport.KeySessionEnded) {
		k.Expiring, k.Written = true, ev.Entry.Written
	}
	if ev.Kind == transport.KeySessionEnded {
		k.Session, k.SessionEnd = rec.Session, ev.SessionEnd
	}
	switch {
	case k.Free:
	case ev.Entry.Malformed != nil:
		k.Holder = fsm.Holder{Name: ForeignHolder, Foreign: true, Revision: ev.Entry.Revision}
	default:
		k.Holder = fsm.Holder{Name: rec.Holder, Term: ev.Entry.Term(), Revision: ev.Entry.Revision, Nonce: rec.Nonce, OfferedTo: rec.OfferedTo}
		k.Ours = rec.Holder == instance && ev.OurSession && rec.OfferedTo == ""
	}
	return k
}
