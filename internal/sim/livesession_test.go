package sim_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/sim"
	"github.com/batonhq/baton/transport"
	"github.com/batonhq/baton/transport/storetest"
)

// liveSessionStore is a liveStore in session mode, as transport's session
// is: one session key, renewed every storetest.SessionRenew by a keepalive
// and on demand when a renewal asks for a proof older than half that; a
// session whose renewal is refused and whose key holds no value has ended
// for good.
type liveSessionStore struct {
	liveStore

	mu       sync.Mutex // guards the session; taken before the bucket's
	key      string     // the live session's key; "" when none is open
	rev      uint64     // the revision of its latest write
	proven   time.Time  // when its newest acknowledged write was sent
	lastSent time.Time
	closed   bool

	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

var _ storetest.SessionStore = (*liveSessionStore)(nil)

// sessionIDs numbers the sessions of every bucket in the test binary, so
// no session key is used twice.
var sessionIDs atomic.Uint64

// openSession starts a store in session mode on b; it opens its session at
// once, as transport.Open does.
func openSession(t *testing.T, b *liveBucket) *liveSessionStore {
	s := &liveSessionStore{liveStore: liveStore{b}, stop: make(chan struct{})}
	if _, _, err := s.bind(); err != nil {
		t.Fatalf("open session: %v", err)
	}
	s.done.Add(1)
	go s.keepAlive()
	t.Cleanup(s.Close)
	return s
}

// keepAlive renews the session every SessionRenew unless a renewal went out
// within the last half of that.
func (s *liveSessionStore) keepAlive() {
	defer s.done.Done()
	tick := time.NewTicker(storetest.SessionRenew)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.mu.Lock()
			if s.key != "" && time.Since(s.lastSent) >= storetest.SessionRenew/2 {
				s.renewLocked()
			}
			s.mu.Unlock()
		}
	}
}

// Close stops renewing the session and leaves its key to expire.
func (s *liveSessionStore) Close() {
	s.once.Do(func() {
		close(s.stop)
		s.done.Wait()
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
	})
}

// Session implements storetest.SessionStore.
func (s *liveSessionStore) Session() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// renewLocked rewrites the session key at its revision, keeping its TTL;
// refused, it adopts a write of its own it had not heard of, or ends the
// session when the key holds no value. s.mu is held.
func (s *liveSessionStore) renewLocked() {
	sent := time.Now()
	s.lastSent = sent
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	e, err := s.b.model.Update(s.key, []byte("{}"), s.rev, storetest.SessionTTL, sent)
	if err != nil {
		if last := s.b.model.Get(s.key); last.Kind != sim.Put {
			s.key = ""
			return
		}
		e, _ = s.b.model.Update(s.key, []byte("{}"), s.b.model.Get(s.key).Revision, storetest.SessionTTL, sent)
	}
	s.rev, s.proven = e.Revision, sent
}

// prove returns when a write of key was last acknowledged to have been
// sent, renewing the session first when that was SessionRenew/2 ago or
// more; ErrConflict says key is not the live session.
func (s *liveSessionStore) prove(key string) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return time.Time{}, fmt.Errorf("session: %w: %w", transport.ErrPermanent, transport.ErrClosed)
	}
	if key == "" || key != s.key {
		return time.Time{}, fmt.Errorf("session %q: %w: the session ended", key, transport.ErrConflict)
	}
	if time.Since(s.proven) >= storetest.SessionRenew/2 {
		s.renewLocked()
		if s.key != key {
			return time.Time{}, fmt.Errorf("session %q: %w: the server let it go", key, transport.ErrConflict)
		}
	}
	return s.proven, nil
}

// bind returns the live session's key, opening a session when none is
// open, and its proof.
func (s *liveSessionStore) bind() (string, time.Time, error) {
	s.mu.Lock()
	if s.key == "" && !s.closed {
		key := transport.SessionsPrefix + strconv.FormatUint(sessionIDs.Add(1), 10)
		sent := time.Now()
		s.b.mu.Lock()
		e, err := s.b.model.Create(key, []byte("{}"), storetest.SessionTTL, sent)
		s.b.mu.Unlock()
		if err != nil {
			s.mu.Unlock()
			return "", time.Time{}, fmt.Errorf("open session: %w", transport.ErrConflict)
		}
		s.key, s.rev, s.proven, s.lastSent = key, e.Revision, sent, sent
	}
	key := s.key
	s.mu.Unlock()
	proof, err := s.prove(key)
	return key, proof, err
}

func (s *liveSessionStore) Acquire(_ context.Context, role string, rec transport.Record) (transport.Lease, error) {
	if err := checkWrite(role, rec.TTL); err != nil {
		return transport.Lease{}, err
	}
	key, proof, err := s.bind()
	if err != nil {
		return transport.Lease{}, fmt.Errorf("acquire %q: %w", role, err)
	}
	rec.Term, rec.Session = 0, key
	data, err := transport.EncodeRecord(rec)
	if err != nil {
		return transport.Lease{}, fmt.Errorf("%w: %w", transport.ErrPermanent, err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	e, err := s.b.model.Create(role, data, 0, time.Now())
	if err != nil {
		return transport.Lease{}, fmt.Errorf("acquire %q: %w", role, transport.ErrConflict)
	}
	return transport.Lease{Role: role, Term: e.Revision, Revision: e.Revision, Record: rec, Proof: proof}, nil
}

// Renew of a session lease writes nothing: it asks the session for proof.
func (s *liveSessionStore) Renew(ctx context.Context, lease transport.Lease) (transport.Lease, error) {
	if lease.Record.Session == "" {
		return s.liveStore.Renew(ctx, lease)
	}
	if err := checkWrite(lease.Role, lease.Record.TTL); err != nil {
		return transport.Lease{}, err
	}
	proof, err := s.prove(lease.Record.Session)
	if err != nil {
		return transport.Lease{}, fmt.Errorf("renew %q: %w", lease.Role, err)
	}
	lease.Proof = proof
	return lease, nil
}

// TakeOver binds rec to the store's session and takes the lease over in
// the model's atomic batch, checked against the role's revision and the
// session's end at one instant.
func (s *liveSessionStore) TakeOver(_ context.Context, role string, rec transport.Record, revision uint64, session string, end uint64) (transport.Lease, error) {
	if err := checkWrite(role, rec.TTL); err != nil {
		return transport.Lease{}, err
	}
	key, proof, err := s.bind()
	if err != nil {
		return transport.Lease{}, fmt.Errorf("acquire %q: %w", role, err)
	}
	rec.Term, rec.OfferedTo, rec.Session = 0, "", key
	data, err := transport.EncodeRecord(rec)
	if err != nil {
		return transport.Lease{}, fmt.Errorf("%w: %w", transport.ErrPermanent, err)
	}
	s.b.mu.Lock()
	e, err := s.b.model.TakeOver(role, data, revision, session, end, time.Now())
	s.b.mu.Unlock()
	if err != nil {
		return transport.Lease{}, fmt.Errorf("acquire %q: %w: %w", role, transport.ErrConflict, err)
	}
	return transport.Lease{Role: role, Term: e.Revision, Revision: e.Revision, Record: rec, Proof: proof}, nil
}

// sessionHarness makes a liveBucket a storetest.SessionHarness.
type sessionHarness struct{ b *liveBucket }

func (h sessionHarness) Open(t *testing.T) storetest.SessionStore { return openSession(t, h.b) }

func (h sessionHarness) Close(_ *testing.T, s storetest.SessionStore) {
	s.(*liveSessionStore).Close()
}
