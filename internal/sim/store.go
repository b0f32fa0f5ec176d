package sim

import (
	"errors"
	"slices"
	"time"
)

// ErrRevision is returned by a write whose precondition failed: a create of
// a key that holds a value, or a write or delete at a revision that is not
// the key's last.
var ErrRevision = errors.New("sim: wrong last revision")

// EntryKind is what a key's last message is.
type EntryKind uint8

// The kinds of a key's last message.
const (
	// Absent: the key has no message (never written, or its limit marker
	// expired).
	Absent EntryKind = iota
	// Put: the key holds a value.
	Put
	// Deleted: the key's last message is a delete marker.
	Deleted
	// Purged: the key's value expired; its last message is a limit marker.
	Purged
)

// Free reports whether the key can be created.
func (k EntryKind) Free() bool { return k != Put }

// Entry is a key's last message.
type Entry[V any] struct {
	// Role is the key.
	Role string
	// Kind is what the message is; Value is meaningful only for Put.
	Kind EntryKind
	// Revision is the message's sequence in the stream.
	Revision uint64
	Value    V
	// Written is when the server stored the message, on the stream
	// leader's wall clock.
	Written time.Time
	// Expires is when a value's TTL, or a limit marker's, runs out (zero:
	// never), on the wall clock of whichever node leads the stream then.
	Expires time.Time
}

// Store is a model of one JetStream KV bucket as the lease protocol uses
// it: History 1, per-key TTL, limit markers, one revision counter (the
// stream's sequence) for every key, and the atomic takeover of a session
// lease. It is a plain value driven by its caller: every method takes the
// server's time (the wall clock of the node that leads the stream), and
// expiry happens only in Sweep and Mark. It is not safe for concurrent use.
type Store[V any] struct {
	rev  uint64
	keys map[string]*Entry[V]
	// marking holds the keys whose expiry marker is decided but not yet
	// applied, with the revision of the value that expired: that value
	// stays the key's last message until Mark.
	marking map[string]uint64
	// MarkerTTL is how long a limit marker stays (the bucket's
	// LimitMarkerTTL).
	MarkerTTL time.Duration
	// SweepEvery and SweepPhase place the server's expiry sweeps: at
	// SweepPhase + k*SweepEvery, so a key is freed up to SweepEvery after
	// its TTL, as nats-server's filestore does.
	SweepEvery time.Duration
	SweepPhase time.Time
	// OnChange, if set, is called with every new message a watcher sees
	// (puts, deletes and limit markers), in revision order.
	OnChange func(Entry[V])
}

// NewStore returns an empty bucket whose sweeps run every 250ms from phase.
func NewStore[V any](phase time.Time) *Store[V] {
	return &Store[V]{keys: map[string]*Entry[V]{}, marking: map[string]uint64{}, MarkerTTL: time.Second, SweepEvery: 250 * time.Millisecond, SweepPhase: phase}
}

// Revision is the stream's last sequence.
func (s *Store[V]) Revision() uint64 { return s.rev }

// Get returns the key's last message (Kind Absent when there is none).
func (s *Store[V]) Get(role string) Entry[V] {
	if e, ok := s.keys[role]; ok {
		return *e
	}
	return Entry[V]{Role: role}
}

// Create writes v if the key holds no value (it may hold a marker), with a
// TTL of ttl (zero: none). It returns ErrRevision when the key holds a value.
func (s *Store[V]) Create(role string, v V, ttl time.Duration, now time.Time) (Entry[V], error) {
	if s.Get(role).Kind == Put {
		return Entry[V]{}, ErrRevision
	}
	return s.write(role, Put, v, ttl, now), nil
}

// Update writes v if the key's last message is at revision last, as a
// publish with ExpectLastSequencePerSubject(last) and MsgTTL(ttl) does: the
// TTL is the write's own, so a renewal keeps the key expiring.
func (s *Store[V]) Update(role string, v V, last uint64, ttl time.Duration, now time.Time) (Entry[V], error) {
	if s.Get(role).Revision != last || last == 0 {
		return Entry[V]{}, ErrRevision
	}
	return s.write(role, Put, v, ttl, now), nil
}

// TakeOver writes v, with no TTL, if role's last message is at revision
// last and the key session's last message is at revision end (0: the key
// has no message): the atomic batch that takes over a lease whose session
// ended, both expectations checked by the server at once. The batch's first
// message, the check of role, takes a revision that no watcher sees.
func (s *Store[V]) TakeOver(role string, v V, last uint64, session string, end uint64, now time.Time) (Entry[V], error) {
	if s.Get(role).Revision != last || last == 0 || s.Get(session).Revision != end {
		return Entry[V]{}, ErrRevision
	}
	s.rev++
	return s.write(role, Put, v, 0, now), nil
}

// Put writes v whatever the key holds, with no TTL.
func (s *Store[V]) Put(role string, v V, now time.Time) Entry[V] {
	return s.write(role, Put, v, 0, now)
}

// DeleteAt writes a delete marker if the key's last message is at revision
// last.
func (s *Store[V]) DeleteAt(role string, last uint64, now time.Time) (Entry[V], error) {
	if s.Get(role).Revision != last || last == 0 {
		return Entry[V]{}, ErrRevision
	}
	return s.Delete(role, now), nil
}

// Delete writes a delete marker whatever the key holds.
func (s *Store[V]) Delete(role string, now time.Time) Entry[V] {
	var zero V
	return s.write(role, Deleted, zero, 0, now)
}

// write appends a message for role and tells the watchers.
func (s *Store[V]) write(role string, kind EntryKind, v V, ttl time.Duration, now time.Time) Entry[V] {
	s.rev++
	e := Entry[V]{Role: role, Kind: kind, Revision: s.rev, Value: v, Written: now}
	if ttl > 0 {
		e.Expires = now.Add(ttl)
	}
	s.keys[role] = &e
	if s.OnChange != nil {
		s.OnChange(e)
	}
	return e
}

// NextSweep is the first sweep at or after now that has work: a value or a
// marker whose TTL has run out by then and whose expiry is not decided
// yet. ok is false when nothing expires.
func (s *Store[V]) NextSweep(now time.Time) (at time.Time, ok bool) {
	for role, e := range s.keys {
		if _, decided := s.marking[role]; !e.Expires.IsZero() && !decided && (!ok || e.Expires.Before(at)) {
			at, ok = e.Expires, true
		}
	}
	if !ok {
		return time.Time{}, false
	}
	if at.Before(now) {
		at = now
	}
	return s.sweepAtOrAfter(at), true
}

// sweepAtOrAfter is the first sweep instant at or after t.
func (s *Store[V]) sweepAtOrAfter(t time.Time) time.Time {
	d := t.Sub(s.SweepPhase)
	k := (d + s.SweepEvery - 1) / s.SweepEvery
	return s.SweepPhase.Add(k * s.SweepEvery)
}

// Sweep expires, at now, every value and limit marker whose TTL has run
// out. An expired marker is removed silently. For an expired value the
// server decides a limit marker; Sweep returns those keys, and the caller
// applies each marker with Mark once the server has stored the writes it
// was already handling. Until then writes are applied as ever: one
// expecting the expired value succeeds, and so does one expecting that
// write (measured on one server: the marker waits for the stream's lock
// while both are stored), and the marker then erases them.
func (s *Store[V]) Sweep(now time.Time) (decided []string) {
	// Roles in a fixed order, so a replay expires keys in the same order.
	for _, role := range s.expiring(now) {
		if e := s.keys[role]; e.Kind == Put {
			s.marking[role] = e.Revision
			decided = append(decided, role)
			continue
		}
		delete(s.keys, role)
	}
	return decided
}

// Mark applies the limit marker Sweep decided for role: it carries a
// rollup and no expected sequence, so it replaces whatever the key holds
// now, a write applied since the decision included, at a new revision.
// erased reports that it replaced such a write rather than the expired
// value.
func (s *Store[V]) Mark(role string, now time.Time) (e Entry[V], erased bool) {
	var zero V
	erased = s.Get(role).Revision != s.marking[role]
	delete(s.marking, role)
	return s.write(role, Purged, zero, s.MarkerTTL, now), erased
}

// expiring returns, sorted, the roles whose last message expires by now
// and whose expiry is not decided yet.
func (s *Store[V]) expiring(now time.Time) []string {
	var out []string
	for role, e := range s.keys {
		if _, decided := s.marking[role]; !e.Expires.IsZero() && !e.Expires.After(now) && !decided {
			out = append(out, role)
		}
	}
	slices.Sort(out)
	return out
}
