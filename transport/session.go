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

// session keeps the store's session key alive: a keepalive timer renews it
// every 3/4 Renew and publishes each proof (proof), and a holder asking
// for proof gets the newest at once, or shares the renewal in flight or
// starts one when the last is older than Renew/2 (prove). A session whose
// key the server has let go (its renewal is refused) has ended for good;
// the next one opens at once. Its setup never changes; mu guards the rest,
// but for the published proof and the counters, which are atomic.
type session struct {
	sessionSetup

	// published is the live session and its proof, as elections read them
	// without the lock; written under mu whenever either changes.
	published atomic.Pointer[SessionProof]

	mu       sync.Mutex
	live     sessionKey
	proven   time.Time // when the newest acknowledged write of the live key was sent
	lastSent time.Time // when the newest write of the live key was sent
	pending  *sessionWrite
	opening  chan struct{} // closed when an open in progress finishes
	timer    *time.Timer
	closed   bool
	wg       sync.WaitGroup
	orphans  orphanSet // leases left unreleased by elections that stopped

	stats sessionStats
}

// sessionSetup is what a session is given when its store opens, and
// never changes: the store it writes through, its options, the bound of
// each of its writes, and opened, which runs after a session other than
// the first opens, off the lock (the registry binds its entries to the new
// session).
type sessionSetup struct {
	store   sessionWriter
	opts    SessionOptions
	timeout time.Duration
	opened  func()
}

// sessionWriter is what a session needs of its store: to write and read its
// key, and to release a lease it keeps. JetStreamStore implements it; the
// session holds no more of the store than this.
type sessionWriter interface {
	// createSession creates key holding value, with a TTL of ttl, and
	// returns its revision.
	createSession(ctx context.Context, key string, value []byte, ttl time.Duration) (uint64, error)
	// renewSession writes value to key if the key is still at rev, with a
	// TTL of ttl, and returns the new revision.
	renewSession(ctx context.Context, key string, value []byte, rev uint64, ttl time.Duration) (uint64, error)
	// sessionEnd reads key's last message from the stream leader.
	sessionEnd(ctx context.Context, key string) (uint64, bool, error)
	// releaseOrphan releases an orphan lease, reading it back once when
	// its revision is stale.
	releaseOrphan(ctx context.Context, lease Lease) error
}

// sessionKey is the live session's key: its name, what every write of it
// holds, and the revision of its latest write. The zero value is no live
// session: none has opened yet, or the last one ended.
type sessionKey struct {
	name  string
	value []byte
	rev   uint64
}

// sessionStats are a session's counters: atomic, so Stats reads them
// without the session's lock.
type sessionStats struct {
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
	return s.live.name
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
		case s.live.name != "":
			key := s.live.name
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
	rev, err := s.store.createSession(ctx, key, data, s.opts.TTL)
	if err != nil {
		return classify("open session", key, opWrite, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("session: %w: %w", ErrPermanent, ErrClosed)
	}
	again := s.timer != nil
	s.live, s.proven, s.lastSent = sessionKey{name: key, value: data, rev: rev}, sentAt, sentAt
	s.publishLocked()
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
	if key != s.live.name {
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

// proof returns the live session and its proof as last published.
func (s *session) proof() SessionProof {
	if p := s.published.Load(); p != nil {
		return *p
	}
	return SessionProof{}
}

// publishLocked publishes the live session and its proof. s.mu is held.
func (s *session) publishLocked() {
	if s.live.name == "" {
		s.published.Store(nil)
		return
	}
	s.published.Store(&SessionProof{Key: s.live.name, At: s.proven})
}

// startLocked starts a renewal of the live session. s.mu is held.
func (s *session) startLocked() *sessionWrite {
	w := &sessionWrite{key: s.live.name, value: s.live.value, sentAt: time.Now(), done: make(chan struct{})}
	s.pending, s.lastSent = w, w.sentAt
	rev := s.live.rev
	s.stats.writes.Add(1)
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
	case err == nil && s.live.name == w.key && s.unprovenLocked():
		// Acknowledged too late to prove anything: the write it replaced
		// may have expired first, and its marker may erase this one.
		s.abandonLocked()
		err = fmt.Errorf("session %q: %w: renewal acknowledged after %v without proof: abandoned", w.key, ErrConflict, s.opts.ProofWindow)
	case err == nil && s.live.name == w.key:
		s.live.rev = max(s.live.rev, seq)
		if w.sentAt.After(s.proven) {
			s.proven = w.sentAt
			s.publishLocked()
		}
	case errors.Is(err, ErrConflict) && s.live.name == w.key:
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
	s.stats.abandoned.Add(1)
	s.endLocked()
}

// endLocked forgets the live session, which has ended, and opens the next
// one now, not at the next acquisition: the registry's entries need one to
// stay in the order of succession. s.mu is held.
func (s *session) endLocked() {
	s.live = sessionKey{}
	s.publishLocked()
	s.stats.ended.Add(1)
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
	seq, err := s.store.renewSession(ctx, w.key, w.value, rev, s.opts.TTL)
	if err != nil {
		return 0, classify("renew session", w.key, opWrite, err)
	}
	return seq, nil
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
	case s.live.name != "" && s.pending == nil && s.unprovenLocked():
		s.abandonLocked()
	case s.live.name != "" && s.pending == nil && time.Since(s.lastSent) >= s.opts.Renew/2:
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
	s.published.Store(nil) // nobody renews it any more
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
