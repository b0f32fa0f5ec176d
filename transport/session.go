package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// In session mode a store keeps one session key alive for every lease it
// holds: the leases' own keys carry no TTL and are never rewritten, and a
// lease is held while its session lives. So N held roles cost one write per
// renewal interval instead of N. The server still decides who may take a
// lease over: see takeOver.

// SessionsPrefix starts the keys of sessions: a session's key is
// SessionsPrefix followed by a random ID, never reused, so a session that
// ended stays ended.
const SessionsPrefix = ReservedPrefix + "sessions."

// SessionOptions turn on session mode for a store.
type SessionOptions struct {
	// TTL is the session key's time to live, as a lease's: a whole number
	// of seconds, at least 1s. Zero leaves session mode off.
	TTL time.Duration
	// Renew is how often the leases the session keeps are renewed: positive
	// and at most TTL/3. Default TTL/5. The key itself is rewritten every
	// 3/4 Renew, so a lease's renewal finds a newer proof waiting.
	Renew time.Duration
	// ProofWindow bounds what proves the session. When a message's TTL
	// runs out while it is still the last of its key, the server may erase
	// a write that replaced it and was already acknowledged (the expiry
	// marker's rollup follows it). So a renewal proves the session only if
	// its acknowledgement comes within ProofWindow of the send of the
	// newest write already counted as proof, which it replaced or
	// followed; and a session unproven for ProofWindow is abandoned, not
	// renewed: a new one is opened, and the leases it kept end. It must
	// end before any server could expire that write: leadership passes
	// its RenewDeadline. At least 2*Renew and at most TTL; default 3*Renew.
	ProofWindow time.Duration
}

// enabled reports whether the options turn session mode on.
func (o SessionOptions) enabled() bool { return o.TTL != 0 }

// withDefaults fills Renew.
func (o SessionOptions) withDefaults() SessionOptions {
	if o.enabled() && o.Renew == 0 {
		o.Renew = o.TTL / 5
	}
	if o.enabled() && o.ProofWindow == 0 {
		o.ProofWindow = 3 * o.Renew
	}
	return o
}

// validate checks the options after defaults are applied.
func (o SessionOptions) validate() error {
	if !o.enabled() {
		return nil
	}
	if err := checkTTL(o.TTL); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	if o.Renew <= 0 || o.Renew > o.TTL/3 {
		return fmt.Errorf("session: %w: %w: Renew %v must be positive and at most TTL/3 = %v", ErrPermanent, ErrBucketMisconfigured, o.Renew, o.TTL/3)
	}
	if o.ProofWindow < 2*o.Renew || o.ProofWindow > o.TTL {
		return fmt.Errorf("session: %w: %w: ProofWindow %v must be at least 2*Renew = %v and at most TTL %v", ErrPermanent, ErrBucketMisconfigured, o.ProofWindow, 2*o.Renew, o.TTL)
	}
	return nil
}

// session keeps the store's session key alive: a keepalive timer renews it
// every 3/4 Renew, and a holder asking for proof gets the newest at once
// (fresh), or shares the renewal in flight or starts one when the last is
// older than Renew/2 (prove). A session whose key the
// server has let go (its renewal is refused) has ended for good; the next
// acquisition opens a new one.
type session struct {
	store   *JetStreamStore
	opts    SessionOptions
	timeout time.Duration

	mu       sync.Mutex
	key      string    // the live session's key; "" before one is open and after it ended
	value    []byte    // what the key holds: written again by every renewal
	rev      uint64    // the revision of the session key's latest write
	proven   time.Time // when the newest acknowledged write of key was sent
	lastSent time.Time // when the newest write of key was sent
	pending  *sessionWrite
	opening  chan struct{} // closed when an open in progress finishes
	timer    *time.Timer
	closed   bool
	wg       sync.WaitGroup
	// opened runs after a session other than the first opens, off the
	// lock: the registry binds its entries to the new session.
	opened func()
	// orphans are leases left unreleased by elections that stopped, and
	// releasing is set while a release of them runs (session_orphans.go).
	orphans   []Lease
	releasing bool

	writes    atomic.Uint64 // renewals sent
	ended     atomic.Uint64 // sessions that ended under the store
	abandoned atomic.Uint64 // sessions given up for want of proof in time
}

// sessionWrite is one renewal of the session key.
type sessionWrite struct {
	key    string
	value  []byte
	sentAt time.Time
	done   chan struct{}
	err    error // set before done closes
}

// sessionValue is what a session key holds, for people reading the bucket.
type sessionValue struct {
	Version  int       `json:"v"`
	TTL      string    `json:"ttl"`
	OpenedAt time.Time `json:"opened_at"`
}

// current returns the live session's key, or "".
func (s *session) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// bind returns the key of a live session, opening one if there is none, and
// when a write of it was last acknowledged to have been sent: the proof a
// new lease counts its deadline from.
func (s *session) bind(ctx context.Context) (string, time.Time, error) {
	for {
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return "", time.Time{}, fmt.Errorf("session: %w: %w", ErrPermanent, ErrClosed)
		case s.key != "":
			key := s.key
			s.mu.Unlock()
			proof, err := s.prove(ctx, key)
			if errors.Is(err, ErrConflict) {
				continue // it ended meanwhile: open another
			}
			return key, proof, err
		case s.opening != nil:
			wait := s.opening
			s.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return "", time.Time{}, fmt.Errorf("session: %w: %w", ErrTransient, ctx.Err())
			}
		default:
			s.opening = make(chan struct{})
			s.mu.Unlock()
			err := s.open(ctx)
			s.mu.Lock()
			close(s.opening)
			s.opening = nil
			s.mu.Unlock()
			if err != nil {
				return "", time.Time{}, err
			}
		}
	}
}

// open creates a new session key.
func (s *session) open(ctx context.Context) error {
	key := SessionsPrefix + randomID()
	data, err := json.Marshal(sessionValue{Version: 1, TTL: s.opts.TTL.String(), OpenedAt: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("open session: %w: %w", ErrPermanent, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	sentAt := time.Now()
	rev, err := s.store.kv.Create(ctx, key, data, jetstream.KeyTTL(s.opts.TTL))
	if err != nil {
		return classify("open session", key, opWrite, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("session: %w: %w", ErrPermanent, ErrClosed)
	}
	again := s.timer != nil
	s.key, s.value, s.rev, s.proven, s.lastSent = key, data, rev, sentAt, sentAt
	s.scheduleLocked()
	s.mu.Unlock()
	if again && s.opened != nil {
		s.opened()
	}
	return nil
}

// prove returns when a write of the session key was last acknowledged to
// have been sent, if within Renew/2; otherwise it waits for a renewal (the
// one in flight, or one it starts) and returns when that one was sent. It returns ErrConflict when key is not
// the live session: the session ended, and with it every lease it kept.
func (s *session) prove(ctx context.Context, key string) (time.Time, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return time.Time{}, fmt.Errorf("session: %w: %w", ErrPermanent, ErrClosed)
	}
	if key != s.key {
		s.mu.Unlock()
		return time.Time{}, fmt.Errorf("session %q: %w: the session ended", key, ErrConflict)
	}
	if time.Since(s.proven) < s.opts.Renew/2 {
		proven := s.proven
		s.mu.Unlock()
		return proven, nil
	}
	if s.unprovenLocked() {
		s.abandonLocked()
		s.mu.Unlock()
		return time.Time{}, fmt.Errorf("session %q: %w: not proven within %v: abandoned", key, ErrConflict, s.opts.ProofWindow)
	}
	w := s.pending
	if w == nil {
		w = s.startLocked()
	}
	s.mu.Unlock()
	select {
	case <-w.done:
		return w.sentAt, w.err
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("session %q: %w: %w", key, ErrUnknownOutcome, ctx.Err())
	}
}

// fresh returns the newest proof for key without waiting or writing: ok is
// false when key is not the live session or its last acknowledged write is
// older than Renew. A lease renews Renew after its last proof, and the
// keepalive writes every 3/4 Renew, so a healthy session always has a newer
// proof by then, and a renewal costs nothing but this lookup.
func (s *session) fresh(key string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || key != s.key || time.Since(s.proven) >= s.opts.Renew {
		return time.Time{}, false
	}
	return s.proven, true
}

// startLocked starts a renewal of the live session. s.mu is held.
func (s *session) startLocked() *sessionWrite {
	w := &sessionWrite{key: s.key, value: s.value, sentAt: time.Now(), done: make(chan struct{})}
	s.pending, s.lastSent = w, w.sentAt
	rev := s.rev
	s.writes.Add(1)
	s.wg.Go(func() { s.renew(w, rev) })
	return w
}

// renew rewrites the session key at rev, keeping its TTL. A refusal is
// settled by reading the key from the stream leader: a write of ours we
// had not heard of is adopted and the renewal tried once more; anything
// else means the server let the session go.
func (s *session) renew(w *sessionWrite, rev uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	seq, err := s.rewrite(ctx, w, rev)
	if errors.Is(err, ErrConflict) {
		var alive bool
		var latest uint64
		latest, alive, err = s.store.sessionEnd(ctx, w.key)
		switch {
		case err != nil:
		case alive:
			seq, err = s.rewrite(ctx, w, latest)
		default:
			err = fmt.Errorf("session %q: %w: the server let it go (expired or deleted)", w.key, ErrConflict)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == w {
		s.pending = nil
	}
	switch {
	case err == nil && s.key == w.key && s.unprovenLocked():
		// Acknowledged too late to prove anything: the write it replaced
		// may have expired first, and its marker may erase this one.
		s.abandonLocked()
		err = fmt.Errorf("session %q: %w: renewal acknowledged after %v without proof: abandoned", w.key, ErrConflict, s.opts.ProofWindow)
	case err == nil && s.key == w.key:
		s.rev = max(s.rev, seq)
		if w.sentAt.After(s.proven) {
			s.proven = w.sentAt
		}
	case errors.Is(err, ErrConflict) && s.key == w.key:
		s.endLocked()
	case err == nil:
		// The session was given up (or ended) while this renewal was in
		// flight: what it proves is a session nobody renews any more.
		err = fmt.Errorf("session %q: %w: ended while this renewal was in flight", w.key, ErrConflict)
	}
	w.err = err
	close(w.done)
}

// unprovenLocked reports whether the live session has gone ProofWindow
// without proof. s.mu is held.
func (s *session) unprovenLocked() bool { return time.Since(s.proven) >= s.opts.ProofWindow }

// abandonLocked gives up the live session for want of proof: it is never
// written again (its key expires on the server by TTL), and a new one is
// opened. s.mu is held.
func (s *session) abandonLocked() {
	s.abandoned.Add(1)
	s.endLocked()
}

// endLocked forgets the live session, which has ended, and opens the next
// one now, not at the next acquisition: the registry's entries need one to
// stay in the order of succession. s.mu is held.
func (s *session) endLocked() {
	s.key = ""
	s.ended.Add(1)
	if !s.closed {
		s.wg.Go(s.reopen)
	}
}

// reopen opens a new session after the last one ended. A failure is left
// to the next acquisition or registry write, which open one themselves.
func (s *session) reopen() {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	_, _, _ = s.bind(ctx)
}

// rewrite writes the session key of w if it is at rev, with the session's
// TTL.
func (s *session) rewrite(ctx context.Context, w *sessionWrite, rev uint64) (uint64, error) {
	ack, err := s.store.js.PublishMsg(ctx, &nats.Msg{Subject: s.store.subject + w.key, Data: w.value},
		jetstream.WithExpectLastSequencePerSubject(rev), jetstream.WithMsgTTL(s.opts.TTL))
	if err != nil {
		return 0, classify("renew session", w.key, opWrite, err)
	}
	return ack.Sequence, nil
}

// keepAliveEvery is the keepalive's period: a quarter less than Renew, so
// a lease asking for proof Renew after its last one finds a newer one.
func (s *session) keepAliveEvery() time.Duration { return s.opts.Renew * 3 / 4 }

// scheduleLocked arms the keepalive. s.mu is held.
func (s *session) scheduleLocked() {
	if s.timer == nil {
		s.timer = time.AfterFunc(s.keepAliveEvery(), s.keepAlive)
		return
	}
	s.timer.Reset(s.keepAliveEvery())
}

// keepAlive renews the live session unless a renewal went out within the
// last Renew/2 (a holder asked for one), and re-arms itself.
func (s *session) keepAlive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	switch {
	case s.key != "" && s.pending == nil && s.unprovenLocked():
		s.abandonLocked()
	case s.key != "" && s.pending == nil && time.Since(s.lastSent) >= s.opts.Renew/2:
		s.startLocked()
	}
	s.releaseOrphansLocked()
	s.scheduleLocked()
}

// close stops renewing and waits for the renewal in flight. The key is left
// to expire: leases an election chose to keep (StopOptions.KeepLease) lapse
// with it, as a lease with its own TTL would.
func (s *session) close() {
	s.mu.Lock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// randomID returns 16 random bytes in hex: a session key nobody reuses.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
