package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Candidate is one live candidate of a role, as its registry entry says.
type Candidate struct {
	// InstanceID names the candidate.
	InstanceID string
	// Priority is the candidate's configured priority.
	Priority int
	// Joined is the revision at which the candidate registered: a smaller
	// one joined earlier. Revisions come from the server, so the order does
	// not depend on the candidates' clocks.
	Joined uint64
	// Session is the session that keeps the entry live, for a store in
	// session mode: the entry leaves the registry when the session ends.
	// Empty for an entry kept live by its own TTL.
	Session string
}

// Before reports whether c comes before o in the order of succession:
// priority first, highest first; then the longest registered.
func (c Candidate) Before(o Candidate) bool {
	if c.Priority != o.Priority {
		return c.Priority > o.Priority
	}
	if c.Joined != o.Joined {
		return c.Joined < o.Joined
	}
	return c.InstanceID < o.InstanceID
}

// wireCandidate is a registry entry's JSON form.
type wireCandidate struct {
	Version  int    `json:"v"`
	Instance string `json:"instance"`
	Priority int    `json:"priority,omitempty"`
	Joined   uint64 `json:"joined,omitempty"`
	Session  string `json:"session,omitempty"`
}

// decodeCandidate parses a registry entry written at revision; an entry
// not yet rewritten joined at its own revision.
func decodeCandidate(data []byte, revision uint64) (Candidate, bool) {
	var w wireCandidate
	if len(data) > maxRecordSize || json.Unmarshal(data, &w) != nil || w.Version != recordVersion || w.Instance == "" {
		return Candidate{}, false
	}
	if w.Joined == 0 {
		w.Joined = revision
	}
	return Candidate{InstanceID: w.Instance, Priority: w.Priority, Joined: w.Joined, Session: w.Session}, true
}

// Register implements Succession.
func (s *JetStreamStore) Register(role string, c Candidate, ttl time.Duration) (Watch, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	if err := checkTTL(ttl); err != nil {
		return nil, err
	}
	if c.InstanceID == "" {
		return nil, fmt.Errorf("register in %q: %w: an instance ID is required", role, ErrPermanent)
	}
	r := &registration{s: s, key: candidateKey(role, c.InstanceID), c: c, ttl: ttl}
	s.regMu.Lock()
	defer s.regMu.Unlock()
	select {
	case <-s.closing:
		return nil, fmt.Errorf("register in %q: %w", role, errors.Join(ErrPermanent, ErrClosed))
	default:
	}
	s.regs[r] = struct{}{}
	r.mu.Lock()
	r.timer = time.AfterFunc(0, r.tick)
	r.mu.Unlock()
	return r, nil
}

// registration keeps one registry entry alive. It is driven by a timer, so
// an idle registration costs no goroutine: one runs only while the entry is
// being written.
type registration struct {
	s   *JetStreamStore
	key string
	c   Candidate // Joined is set by the first write, on the timer's goroutine
	ttl time.Duration

	mu      sync.Mutex // guards timer and halted
	timer   *time.Timer
	halted  bool
	writing sync.WaitGroup // a write in flight
	once    sync.Once
}

// sessionEntryTTL is the TTL of a registry entry kept by a session. The
// session decides whether the entry is live; the TTL only collects the
// entries of sessions that ended, so it is long and the entry is rewritten
// rarely: N registrations cost N writes per sessionEntryTTL/3, not per
// lease TTL/3.
const sessionEntryTTL = time.Hour

// tick writes the entry and schedules the next write: every ttl/3, sooner
// after a failure.
func (r *registration) tick() {
	r.mu.Lock()
	if r.halted {
		r.mu.Unlock()
		return
	}
	r.writing.Add(1)
	r.mu.Unlock()
	defer r.writing.Done()
	next := r.ttl / 3
	if r.s.session != nil {
		next = sessionEntryTTL / 3
	}
	if err := r.put(); err != nil {
		next = min(next, watchRetry)
	}
	r.mu.Lock()
	if !r.halted {
		r.timer.Reset(next)
	}
	r.mu.Unlock()
}

// halt stops the writes and waits for the one in flight.
func (r *registration) halt() {
	r.mu.Lock()
	r.halted = true
	r.timer.Stop()
	r.mu.Unlock()
	r.writing.Wait()
}

// put writes the entry with its TTL, or in session mode bound to the live
// session. The first acknowledged write fixes the revision at which the
// candidate joined.
func (r *registration) put() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.s.opTimeout)
	defer cancel()
	w := wireCandidate{Version: recordVersion, Instance: r.c.InstanceID, Priority: r.c.Priority, Joined: r.c.Joined}
	ttl := r.ttl
	if r.s.session != nil {
		key, _, err := r.s.session.bind(ctx)
		if err != nil {
			return err
		}
		w.Session, ttl = key, sessionEntryTTL
	}
	data, err := json.Marshal(w)
	if err != nil {
		return err
	}
	leave, err := enterWindow(ctx, r.s.nc)
	if err != nil {
		return err
	}
	ack, err := r.s.js.PublishMsg(ctx, &nats.Msg{Subject: r.s.subject + r.key, Data: data}, jetstream.WithMsgTTL(ttl))
	leave()
	if err != nil {
		return err
	}
	if r.c.Joined == 0 {
		r.c.Joined = ack.Sequence
	}
	return nil
}

// rewriteRegistrations writes every registration's entry again at once:
// a new session opened, and entries bound to the one that ended have left
// the registry.
func (s *JetStreamStore) rewriteRegistrations() {
	s.regMu.Lock()
	defer s.regMu.Unlock()
	for r := range s.regs {
		r.mu.Lock()
		if !r.halted {
			r.timer.Reset(0)
		}
		r.mu.Unlock()
	}
}

// remove deletes the entry with a purge marker that itself expires, so
// candidates that come and go leave nothing behind in the bucket.
func (r *registration) remove() {
	ctx, cancel := context.WithTimeout(context.Background(), r.s.opTimeout)
	defer cancel()
	_ = r.s.kv.Purge(ctx, r.key, jetstream.PurgeTTL(time.Second)) // a failed delete lapses by TTL
}

// Stop implements Watch: it deletes the entry and waits for that. After the
// store closed, the entry is left to lapse by its TTL.
func (r *registration) Stop() {
	r.once.Do(func() {
		r.s.regMu.Lock()
		_, open := r.s.regs[r]
		delete(r.s.regs, r)
		r.s.regMu.Unlock()
		r.halt()
		if open {
			r.remove()
		}
	})
}

// WatchCandidates implements Succession.
func (s *JetStreamStore) WatchCandidates(role string, notify func([]Candidate)) (Watch, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	if notify == nil {
		return nil, fmt.Errorf("watch candidates of %q: %w: notify must not be nil", role, ErrPermanent)
	}
	return s.hub.subscribeGroup(groupOf(role), notify)
}

// Candidates implements Succession.
func (s *JetStreamStore) Candidates(role string) []Candidate {
	return s.hub.orders.candidates(groupOf(role))
}
