package transport

import (
	"encoding/json"
	"fmt"
	"time"
)

// Record is the value stored in a role's key while it is held.
type Record struct {
	// Holder is the instance ID of the candidate holding the lease.
	Holder string
	// Nonce is random per term. With the term revision it tells two holders
	// apart even if a revision is reused after a whole-cluster data loss.
	Nonce string
	// Term is the KV revision at which the lease was acquired. It is zero in
	// the value written by Acquire (the revision is not known until the
	// write is acknowledged) and set by every Renew.
	Term uint64
	// Priority is the holder's configured priority, for observers.
	Priority int
	// AcquiredAt is when the holder acquired the lease, on its own clock.
	AcquiredAt time.Time
	// TTL is the lease's time to live.
	TTL time.Duration
	// Trace is the W3C traceparent of the operation that acquired the
	// lease, so the next holder's trace can link to this term. Optional.
	Trace string
	// OfferedTo names the candidate the holder hands the lease to: the
	// holder no longer leads, and only that candidate may claim the key
	// (see Succession.Offer). Empty while the lease is not on offer.
	OfferedTo string
	// Session is the session key (under SessionsPrefix) that keeps the
	// lease held in session mode, instead of the key's own TTL: the lease
	// lives while that session does. Empty for a lease with its own TTL.
	Session string
}

// recordVersion is the wire format version written in every record.
const recordVersion = 1

// maxRecordSize bounds what DecodeRecord will parse; a lease record is a few
// hundred bytes, anything much larger is not one.
const maxRecordSize = 4 << 10

// wireRecord is Record's JSON form. TTL travels as a Go duration string so a
// person reading the key with the nats CLI sees "10s", not nanoseconds.
type wireRecord struct {
	Version    int       `json:"v"`
	Holder     string    `json:"holder"`
	Nonce      string    `json:"nonce"`
	Term       uint64    `json:"term,omitempty"`
	Priority   int       `json:"priority,omitempty"`
	AcquiredAt time.Time `json:"acquired_at"`
	TTL        string    `json:"ttl"`
	Trace      string    `json:"trace,omitempty"`
	OfferedTo  string    `json:"offered_to,omitempty"`
	Session    string    `json:"session,omitempty"`
}

// EncodeRecord returns the JSON form of r.
func EncodeRecord(r Record) ([]byte, error) {
	if r.Holder == "" || r.Nonce == "" {
		return nil, fmt.Errorf("%w: holder and nonce must not be empty", ErrMalformedRecord)
	}
	return json.Marshal(wireRecord{
		Version:    recordVersion,
		Holder:     r.Holder,
		Nonce:      r.Nonce,
		Term:       r.Term,
		Priority:   r.Priority,
		AcquiredAt: r.AcquiredAt.UTC(),
		TTL:        r.TTL.String(),
		Trace:      r.Trace,
		OfferedTo:  r.OfferedTo,
		Session:    r.Session,
	})
}

// DecodeRecord parses a value read from a role's key. Anything that is not a
// well-formed record (another program's data, a truncated write, a future
// version) returns an error wrapping ErrMalformedRecord; callers treat such a
// key as held by a foreign holder and never as free.
func DecodeRecord(data []byte) (Record, error) {
	if len(data) == 0 {
		return Record{}, fmt.Errorf("%w: empty value", ErrMalformedRecord)
	}
	if len(data) > maxRecordSize {
		return Record{}, fmt.Errorf("%w: value of %d bytes exceeds %d", ErrMalformedRecord, len(data), maxRecordSize)
	}
	var w wireRecord
	if err := json.Unmarshal(data, &w); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrMalformedRecord, err)
	}
	if w.Version != recordVersion {
		return Record{}, fmt.Errorf("%w: version %d, want %d", ErrMalformedRecord, w.Version, recordVersion)
	}
	if w.Holder == "" || w.Nonce == "" {
		return Record{}, fmt.Errorf("%w: missing holder or nonce", ErrMalformedRecord)
	}
	ttl, err := time.ParseDuration(w.TTL)
	if err != nil || ttl <= 0 {
		return Record{}, fmt.Errorf("%w: ttl %q is not a positive duration", ErrMalformedRecord, w.TTL)
	}
	return Record{
		Holder:     w.Holder,
		Nonce:      w.Nonce,
		Term:       w.Term,
		Priority:   w.Priority,
		AcquiredAt: w.AcquiredAt,
		TTL:        ttl,
		Trace:      w.Trace,
		OfferedTo:  w.OfferedTo,
		Session:    w.Session,
	}, nil
}
