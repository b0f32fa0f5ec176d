package main

import (
	"errors"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go/jetstream"
)

// lease is what a role's key says about its holder, as status and watch
// print it.
type lease struct {
	Role       string    `json:"role"`
	Holder     string    `json:"holder"`
	Term       uint64    `json:"term"`
	Token      string    `json:"token,omitempty"`
	Priority   int       `json:"priority"`
	AcquiredAt time.Time `json:"acquired_at,omitzero"`
	TTL        string    `json:"ttl,omitempty"`
	// WrittenAt is the server's timestamp of the last write (acquisition
	// or renewal): the lease lasts TTL from it.
	WrittenAt time.Time `json:"written_at"`
	// ExpiresIn is WrittenAt + TTL - now on this host's clock: an estimate.
	// A lease kept by a session has none: it lasts as long as Session.
	ExpiresIn   string `json:"expires_in,omitempty"`
	ExpiresInMS *int64 `json:"expires_in_ms,omitempty"`
	// Session is the session key that keeps the lease (Config.Sessions).
	Session string `json:"session,omitempty"`
	// Candidates are the role's live candidates in order of succession.
	Candidates []candidate `json:"candidates"`
}

// candidate is one registry entry of a role, as status prints it.
type candidate struct {
	InstanceID string `json:"instance"`
	Priority   int    `json:"priority"`
	// Joined is the revision at which it registered: earlier joined first.
	Joined uint64 `json:"joined"`
}

// leaseOf reads a key's entry. A value that is not a Baton lease record is
// held by ForeignHolder.
func leaseOf(e jetstream.KeyValueEntry, now time.Time) lease {
	l := lease{Role: e.Key(), WrittenAt: e.Created(), Term: e.Revision()}
	rec, err := transport.DecodeRecord(e.Value())
	if err != nil {
		l.Holder = leadership.ForeignHolder
		return l
	}
	if rec.Term != 0 {
		// Renewals carry the term; the acquiring write does not, its
		// revision is the term.
		l.Term = rec.Term
	}
	l.Holder, l.Priority, l.AcquiredAt, l.TTL = rec.Holder, rec.Priority, rec.AcquiredAt, rec.TTL.String()
	l.Token = leadership.Token{Role: l.Role, Holder: rec.Holder, Revision: l.Term, Nonce: rec.Nonce}.String()
	if rec.Session != "" {
		l.Session = rec.Session
		return l
	}
	left := max(e.Created().Add(rec.TTL).Sub(now), 0)
	ms := left.Milliseconds()
	l.ExpiresIn, l.ExpiresInMS = left.Round(time.Millisecond).String(), &ms
	return l
}

// errNoBucket explains a missing bucket.
var errNoBucket = errors.New("bucket not found (no election has run on it yet)")
