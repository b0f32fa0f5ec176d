package interpret

import (
	"context"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// Store is the store's primitives that the core's effects call: one write
// or one read each, none deciding anything.
type Store interface {
	Acquirer
	Renew(ctx context.Context, lease transport.Lease) (transport.Lease, error)
	Release(ctx context.Context, lease transport.Lease) error
	Offer(ctx context.Context, lease transport.Lease, to string) (transport.Lease, error)
	Confirm(ctx context.Context, lease transport.Lease) (transport.Lease, error)
	Read(ctx context.Context, role string) (transport.KeyEvent, error)
}

// Self is the election a call is made for: what its records say.
type Self struct {
	Role       string
	InstanceID string
	Priority   int
	TTL        time.Duration
}

// Call is one store call that an effect of the core asks for: built when
// the effect is carried out, run outside the election's turn (Do), and
// answered to the core as an input (Input).
type Call struct {
	// Effect is the effect the call carries out.
	Effect fsm.Effect
	// Lease is the lease the call writes, releases, offers or reads back,
	// with its record; for an acquisition, the new term's record.
	Lease transport.Lease
	// SentAt is when the call was made, on the election's clock: the
	// deadline of a lease the call proves counts from it.
	SentAt time.Time
	// Instance is the election's instance, by which a read tells a term
	// of ours.
	Instance string
}

// Answer is what the store answered to a call.
type Answer struct {
	// Lease is the lease the store returned (acquire, renew, offer,
	// confirm).
	Lease transport.Lease
	// Event is what a read found.
	Event transport.KeyEvent
	// Start is when the call began on the store's clock, which a session's
	// proof (Lease.Proof) is on.
	Start time.Time
	// Err is the store's error, or the host's when no answer came.
	Err error
}

// NewCall builds the call of a store effect (ok is false for any other
// effect). nonce is a new term's nonce (for DoAcquire); recordOf returns
// the record of one of our terms (for the others).
func NewCall(e fsm.Effect, self Self, sentAt time.Time, nonce string, recordOf func(term uint64) transport.Record) (Call, bool) {
	c := Call{Effect: e, SentAt: sentAt, Instance: self.InstanceID}
	switch e.Kind {
	case fsm.DoAcquire:
		c.Lease = transport.Lease{Role: self.Role, Record: transport.Record{
			Holder: self.InstanceID, Nonce: nonce, Priority: self.Priority, AcquiredAt: sentAt, TTL: self.TTL}}
	case fsm.DoRenew, fsm.DoRelease, fsm.DoOffer, fsm.DoConfirm, fsm.DoRead:
		l := e.Lease
		c.Lease = transport.Lease{Role: self.Role, Term: l.Term, Revision: l.Revision}
		if l.Term != 0 {
			c.Lease.Record = recordOf(l.Term)
		}
	default:
		return Call{}, false
	}
	return c, true
}

// Name names the call for traces and metrics.
func (c Call) Name() string {
	switch c.Effect.Kind {
	case fsm.DoConfirm:
		return "confirm"
	case fsm.DoRead:
		return "read"
	case fsm.DoOffer:
		return "offer"
	default:
		return c.Effect.Kind.String()
	}
}

// Do makes the call against the store. The host sets the answer's Start.
func (c Call) Do(ctx context.Context, s Store) Answer {
	var a Answer
	switch c.Effect.Kind {
	case fsm.DoAcquire:
		a.Lease, a.Err = Acquire(ctx, s, c.Lease.Role, c.Lease.Record, c.Effect)
	case fsm.DoRenew:
		a.Lease, a.Err = s.Renew(ctx, c.Lease)
	case fsm.DoRelease:
		a.Err = s.Release(ctx, c.Lease)
	case fsm.DoOffer:
		a.Lease, a.Err = s.Offer(ctx, c.Lease, c.Effect.Successor)
	case fsm.DoConfirm:
		a.Lease, a.Err = s.Confirm(ctx, c.Lease)
	case fsm.DoRead:
		a.Event, a.Err = s.Read(ctx, c.Lease.Role)
	}
	return a
}

// Input is the core's input for the answer a.
func (c Call) Input(a Answer) fsm.Input {
	e := c.Effect
	in := fsm.Input{Result: transport.ResultOf(a.Err), SentAt: c.SentAt}
	if a.Err != nil {
		in.Err = a.Err.Error()
	}
	ok := a.Err == nil
	switch e.Kind {
	case fsm.DoAcquire:
		in.Kind, in.Seq = fsm.InAcquired, e.Seq
		if ok {
			in.SentAt = ProvenAt(c.SentAt, a.Start, a.Lease.Proof)
			in.Lease = fsm.Lease{Term: a.Lease.Term, Revision: a.Lease.Revision, Nonce: c.Lease.Record.Nonce}
		}
	case fsm.DoRenew:
		in.Kind, in.Lease = fsm.InRenewed, fsm.Lease{Term: e.Lease.Term, Revision: a.Lease.Revision}
		if ok {
			in.SentAt = ProvenAt(c.SentAt, a.Start, a.Lease.Proof)
		}
	case fsm.DoRelease, fsm.DoOffer:
		// An offer is answered as a release: the lease is no longer ours
		// either way.
		in.Kind, in.Lease, in.SentAt = fsm.InReleased, fsm.Lease{Term: e.Lease.Term}, time.Time{}
	case fsm.DoConfirm:
		in.Kind, in.Seq = fsm.InConfirmed, e.Seq
		in.Lease = fsm.Lease{Term: e.Lease.Term, Revision: e.Lease.Revision}
		in.Stored = a.Lease.Stored
	case fsm.DoRead:
		in.Kind, in.Seq, in.SentAt = fsm.InRead, e.Seq, time.Time{}
		if ok {
			in.Key = KeyView(a.Event, c.Instance)
		}
	}
	return in
}

// ProvenAt is when the write proving a lease was sent, on the election's
// clock: sentAt, when the call's own write is the proof; else the store's
// proof (a session renewal, on the store's clock), moved by how long
// before or after the call began (start, on the store's clock) it was
// sent.
func ProvenAt(sentAt, start, proof time.Time) time.Time {
	if proof.IsZero() {
		return sentAt
	}
	return sentAt.Add(proof.Sub(start))
}

// SessionProof is what an input tells the core of the proof of a lease
// kept by a session (rec.Session; fsm.Input.SessionProof): when the newest
// write proving that session was sent, on the election's clock (now, read
// when the store clock read start), or zero when the session that keeps the
// lease is not the store's live one. The core decides what it proves.
func SessionProof(rec transport.Record, p transport.SessionProof, now, start time.Time) time.Time {
	if rec.Session == "" || rec.Session != p.Key || p.At.IsZero() {
		return time.Time{}
	}
	return ProvenAt(now, start, p.At)
}
