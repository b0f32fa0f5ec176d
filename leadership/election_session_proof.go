package leadership

import (
	"time"

	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

// The session's proof of a leader's lease, as the election reads it: the
// core is given it with every input of a leader (fsm.Input.SessionProof),
// and Status reads it whenever asked, since a leader parked on its session
// publishes no snapshot for it.

// sessionProof is the newest proof of the session that keeps the lease of
// term, on the election's clock at now (fsm.Input.SessionProof), read from
// the session's published snapshot without a lock; zero when that session
// is not the store's live one.
func (a *electionActor) sessionProof(term uint64, now time.Time) time.Time {
	if a.store == nil {
		return time.Time{}
	}
	return interpret.SessionProof(a.terms.records.get(term), a.store.Proof(), now, time.Now())
}

// sessionProofReader reads sessionProof for term whenever Status asks.
// Of the term's record only its session counts for the proof, and only it
// is kept: the reader lives as long as the Status holding it.
func (a *electionActor) sessionProofReader(term uint64) func() time.Time {
	store, session, clock := a.store, a.terms.records.get(term).Session, a.clock
	if store == nil || session == "" {
		return nil
	}
	return func() time.Time {
		return interpret.SessionProof(transport.Record{Session: session}, store.Proof(), clock.Now(), time.Now())
	}
}
