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

	"github.com/batonhq/baton/fsm"
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

// session keeps the store's session key alive. What to do with it is
// decided by the session keeper's rows (fsm.SessionStep): when to renew,
// what proves the session, when to give it up and open the next, and what
// to do with orphans. session only carries those decisions out: it makes
// the writes and reads, publishes the proof, and hands answers to the
// callers waiting for them. Its setup never changes; mu guards the rest,
// but for the published proof and the counters, which are atomic.
type session struct {
	sessionSetup

	// published is the live session and its proof, as elections read them
	// without the lock; written under mu whenever either changes.
	published atomic.Pointer[SessionProof]

	mu      sync.Mutex
	state   fsm.SessionState
	value   []byte               // what every write of the live session's key holds
	waiting []chan sessionAnswer // callers waiting for the keeper's next answer
	timer   *time.Timer          // the keepalive, armed once the first session opens
	wg      sync.WaitGroup
	orphans orphanSet // leases left unreleased by elections that stopped
	wakers  wakers    // callers waiting for the proof to grow old (session_wake.go)

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
// key, and to release a lease it keeps and read that lease's key. JetStreamStore
// implements it; the session holds no more of the store than this.
type sessionWriter interface {
	// createSession creates key holding value, with a TTL of ttl, and
	// returns its revision.
	createSession(ctx context.Context, key string, value []byte, ttl time.Duration) (uint64, error)
	// renewSession writes value to key if the key is still at rev, with a
	// TTL of ttl, and returns the new revision.
	renewSession(ctx context.Context, key string, value []byte, rev uint64, ttl time.Duration) (uint64, error)
	// sessionEnd reads key's last message from the stream leader.
	sessionEnd(ctx context.Context, key string) (uint64, bool, error)
	// Release deletes a lease's key at the lease's revision.
	Release(ctx context.Context, lease Lease) error
	// Read reads a role's key from the stream leader.
	Read(ctx context.Context, role string) (KeyEvent, error)
}

// sessionStats are a session's counters: atomic, so Stats reads them
// without the session's lock.
type sessionStats struct {
	writes    atomic.Uint64 // renewals sent
	ended     atomic.Uint64 // sessions that ended under the store
	abandoned atomic.Uint64 // sessions given up for want of proof in time
}

// sessionAnswer is the keeper's answer to a caller: the live session's key
// and its proof, or why there is none.
type sessionAnswer struct {
	key   string
	proof time.Time
	err   error
}

// sessionValue is what a session key holds, for people reading the bucket.
type sessionValue struct {
	Version  int       `json:"v"`
	TTL      string    `json:"ttl"`
	OpenedAt time.Time `json:"opened_at"`
}

// timing is what the keeper's rows are given.
func (s *session) timing() fsm.SessionTiming {
	return fsm.SessionTiming{Renew: s.opts.Renew, ProofWindow: s.opts.ProofWindow}
}

// current returns the live session's key, or "".
func (s *session) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.Key
}

// bind returns the key of a live session, opening one if there is none, and
// when a write of it was last acknowledged to have been sent: the proof a
// new lease counts its deadline from.
func (s *session) bind(ctx context.Context) (string, time.Time, error) {
	for {
		key, proof, err := s.ask(ctx, "")
		if errors.Is(err, ErrConflict) && ctx.Err() == nil {
			continue // it ended meanwhile: the next one is opening
		}
		return key, proof, err
	}
}

// prove returns when a write of the session key was last acknowledged to
// have been sent, as the keeper decides: the newest proof if it is fresh,
// or the renewal it waits for. It returns ErrConflict when key is not the
// live session: the session ended, and with it every lease it kept.
func (s *session) prove(ctx context.Context, key string) (time.Time, error) {
	_, proof, err := s.ask(ctx, key)
	return proof, err
}

// ask hands the keeper a caller's need of session key ("" for any) and
// waits for its answer, or for ctx: a caller that gives up while a session
// opens failed for now; one that gave up on a renewal does not know
// whether it landed.
func (s *session) ask(ctx context.Context, key string) (string, time.Time, error) {
	s.mu.Lock()
	r := s.stepLocked(fsm.SessionInput{Kind: fsm.SessInProve, Key: key}, nil)
	opening := s.state.Phase == fsm.SessionOpening
	s.mu.Unlock()
	if r.wait == nil {
		return r.answer.key, r.answer.proof, r.answer.err
	}
	select {
	case a := <-r.wait:
		return a.key, a.proof, a.err
	case <-ctx.Done():
		if opening {
			return "", time.Time{}, fmt.Errorf("session: %w: %w", ErrTransient, ctx.Err())
		}
		return "", time.Time{}, fmt.Errorf("session %q: %w: %w", key, ErrUnknownOutcome, ctx.Err())
	}
}

// stepped is what one step of the keeper leaves its caller: the answer for
// the input's caller, or the channel that caller waits on, and what the
// keeper decided for an orphan the input was about (zero: nothing now).
type stepped struct {
	answer sessionAnswer
	wait   chan sessionAnswer
	orphan fsm.SessionEffect
}

// stepLocked decides in, the answer of a write or read whose error was err
// (nil for an input that is no answer), and carries out the keeper's
// effects: the writes and reads in the background, the rest at once. s.mu
// is held.
func (s *session) stepLocked(in fsm.SessionInput, err error) stepped {
	in.At = time.Now()
	var effects []fsm.SessionEffect
	s.state, effects = fsm.SessionStep(s.timing(), s.state, in)
	var r stepped
	for _, e := range effects {
		switch e.Kind {
		case fsm.SessDoOpen:
			s.wg.Go(s.open)
		case fsm.SessDoRenew:
			s.stats.writes.Add(1)
			value := s.value
			s.wg.Go(func() { s.renew(e.Key, value, e.Revision) })
		case fsm.SessDoRead:
			s.wg.Go(func() { s.read(e.Key) })
		case fsm.SessDoPublish:
			s.publishLocked(e)
		case fsm.SessDoWait:
			r.wait = make(chan sessionAnswer, 1)
			s.waiting = append(s.waiting, r.wait)
		case fsm.SessDoAnswer:
			r.answer = answerOf(e, err)
			for _, w := range s.waiting {
				w <- r.answer
			}
			s.waiting = nil
		case fsm.SessDoEnded:
			s.stats.ended.Add(1)
			if e.Abandoned {
				s.stats.abandoned.Add(1)
			}
		case fsm.SessDoReleaseOrphans:
			if batch := s.orphans.due(e.Key); batch != nil {
				s.wg.Go(func() { s.releaseOrphans(batch) })
			}
		case fsm.SessDoReleaseOrphan, fsm.SessDoReadOrphan, fsm.SessDoForgetOrphan:
			r.orphan = e
		case fsm.SessDoStop:
			if s.timer != nil {
				s.timer.Stop()
			}
		}
	}
	return r
}

// answerOf turns the keeper's answer into what callers get: a write's own
// failure (err) keeps its error.
func answerOf(e fsm.SessionEffect, err error) sessionAnswer {
	switch {
	case e.Result == fsm.WriteOK:
		return sessionAnswer{key: e.Key, proof: e.Proof}
	case e.Err == fsm.SessionClosedErr:
		return sessionAnswer{err: fmt.Errorf("session: %w: %w", ErrPermanent, ErrClosed)}
	case e.Result == fsm.WriteConflict:
		return sessionAnswer{err: fmt.Errorf("session: %w: %s", ErrConflict, e.Err)}
	case err != nil:
		return sessionAnswer{err: err}
	default:
		return sessionAnswer{err: fmt.Errorf("session: %w: %s", ErrTransient, e.Err)}
	}
}

// answered is in as the answer of a write or read that returned err.
func answered(in fsm.SessionInput, err error) fsm.SessionInput {
	in.Result = ResultOf(err)
	if err != nil {
		in.Err = err.Error()
	}
	return in
}

// decide hands the keeper the answer of a write or read made in the
// background, with its error.
func (s *session) decide(in fsm.SessionInput, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stepLocked(answered(in, err), err)
}

// open creates a new session key. The keepalive starts with the first
// session; the registry rebinds its entries to each later one.
func (s *session) open() {
	key := SessionsPrefix + randomID()
	value, rev, err := s.create(key)
	s.mu.Lock()
	s.stepLocked(answered(fsm.SessionInput{Kind: fsm.SessInOpened, Key: key, Revision: rev}, err), err)
	live := s.state.Key == key
	if live {
		s.value = value
	}
	again := s.timer != nil
	if live && !again {
		s.timer = time.AfterFunc(s.keepAliveEvery(), s.keepAlive)
	}
	s.mu.Unlock()
	if live && again && s.opened != nil {
		s.opened()
	}
}

// create writes a new session key, and returns what it holds and its
// revision.
func (s *session) create(key string) ([]byte, uint64, error) {
	data, err := json.Marshal(sessionValue{Version: 1, TTL: s.opts.TTL.String(), OpenedAt: time.Now().UTC()})
	if err != nil {
		return nil, 0, fmt.Errorf("open session: %w: %w", ErrPermanent, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	rev, err := s.store.createSession(ctx, key, data, s.opts.TTL)
	if err != nil {
		return nil, 0, classify("open session", key, opWrite, err)
	}
	return data, rev, nil
}

// renew rewrites the session key at rev with value, keeping its TTL.
func (s *session) renew(key string, value []byte, rev uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	seq, err := s.store.renewSession(ctx, key, value, rev, s.opts.TTL)
	if err != nil {
		err = classify("renew session", key, opWrite, err)
	}
	s.decide(fsm.SessionInput{Kind: fsm.SessInRenewed, Key: key, Revision: seq}, err)
}

// read reads a refused renewal's key back from the stream leader.
func (s *session) read(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	rev, alive, err := s.store.sessionEnd(ctx, key)
	s.decide(fsm.SessionInput{Kind: fsm.SessInRead, Key: key, Revision: rev, Alive: alive}, err)
}

// proof returns the live session and its proof as last published.
func (s *session) proof() SessionProof {
	if p := s.published.Load(); p != nil {
		return *p
	}
	return SessionProof{}
}

// publishLocked publishes the live session and its proof, or that none
// lives. s.mu is held.
// Those waiting on a session that is no longer the live one are woken.
func (s *session) publishLocked(e fsm.SessionEffect) {
	if e.Key == "" {
		s.published.Store(nil)
	} else {
		s.published.Store(&SessionProof{Key: e.Key, At: e.Proof})
	}
	s.wakeOthersLocked(e.Key)
}

// keepAliveEvery is the keepalive's period: a quarter less than Renew, so
// a lease asking for proof Renew after its last one finds a newer one.
func (s *session) keepAliveEvery() time.Duration { return s.opts.Renew * 3 / 4 }

// keepAlive hands the keeper its tick and re-arms itself until the store
// closes.
func (s *session) keepAlive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.Phase == fsm.SessionClosed {
		return
	}
	s.stepLocked(fsm.SessionInput{Kind: fsm.SessInTick}, nil)
	s.timer.Reset(s.keepAliveEvery())
}

// close stops renewing and waits for the writes in flight. The key is left
// to expire: leases an election chose to keep (StopOptions.KeepLease) lapse
// with it, as a lease with its own TTL would.
func (s *session) close() {
	s.mu.Lock()
	s.stepLocked(fsm.SessionInput{Kind: fsm.SessInClose}, nil)
	s.mu.Unlock()
	s.wg.Wait()
}

// randomID returns 16 random bytes in hex: a session key nobody reuses.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
