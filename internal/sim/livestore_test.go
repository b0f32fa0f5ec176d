package sim_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/sim"
	"github.com/batonhq/baton/transport"
)

// liveBucket runs the store model on the wall clock behind a mutex, with
// its expiry sweep on a 250ms ticker and its watchers called from one
// delivery goroutine, so the transport contract suite can run against it
// as it runs against a JetStream bucket.
type liveBucket struct {
	mu      sync.Mutex
	model   *sim.Store[[]byte]
	watches map[*liveWatch]bool
	queue   chan func()
	stop    chan struct{}
	done    sync.WaitGroup
}

// newLiveBucket starts a bucket; it stops when the test ends.
func newLiveBucket(t *testing.T) *liveBucket {
	b := &liveBucket{model: sim.NewStore[[]byte](time.Now()), watches: map[*liveWatch]bool{}, queue: make(chan func(), 1<<16), stop: make(chan struct{})}
	b.model.OnChange = b.changed
	b.done.Add(2)
	go b.sweep()
	go b.deliver()
	t.Cleanup(func() { close(b.stop); b.done.Wait() })
	return b
}

// sweep runs the model's expiry sweep every 250ms, as nats-server does.
func (b *liveBucket) sweep() {
	defer b.done.Done()
	tick := time.NewTicker(b.model.SweepEvery)
	defer tick.Stop()
	for {
		select {
		case <-b.stop:
			return
		case now := <-tick.C:
			b.mu.Lock()
			for _, role := range b.model.Sweep(now) {
				b.model.Mark(role, now) // no write is in flight here: the marker applies at once
			}
			b.mu.Unlock()
		}
	}
}

// deliver calls the watchers, in the order the model changed.
func (b *liveBucket) deliver() {
	defer b.done.Done()
	for {
		select {
		case <-b.stop:
			return
		case f := <-b.queue:
			f()
		}
	}
}

// changed hands a new message to the watchers of its key and, when a
// session's key expired or was deleted, tells the watchers of the leases
// it kept; it runs under mu.
func (b *liveBucket) changed(e sim.Entry[[]byte]) {
	ended := strings.HasPrefix(e.Role, transport.SessionsPrefix) && e.Kind != sim.Put
	for w := range b.watches {
		switch {
		case w.role == e.Role:
			ev := b.eventOf(e)
			b.queue <- func() { w.send(ev) }
		case ended:
			if ev := b.eventOf(b.model.Get(w.role)); ev.Kind == transport.KeySessionEnded && ev.Entry.Record.Session == e.Role {
				b.queue <- func() { w.send(ev) }
			}
		}
	}
}

// eventOf is what a watcher sees of a key's last message: a lease whose
// session key holds no value is KeySessionEnded, with the session key's
// last message as its end. It runs under mu.
func (b *liveBucket) eventOf(e sim.Entry[[]byte]) transport.KeyEvent {
	ev := eventOf(e)
	if sess := ev.Entry.Record.Session; ev.Kind == transport.KeyPut && ev.Entry.Malformed == nil && sess != "" {
		if end := b.model.Get(sess); end.Kind != sim.Put {
			ev.Kind, ev.SessionEnd = transport.KeySessionEnded, end.Revision
		}
	}
	return ev
}

// eventOf is what a watcher sees of a key's last message.
func eventOf(e sim.Entry[[]byte]) transport.KeyEvent {
	ev := transport.KeyEvent{Entry: transport.Entry{Role: e.Role, Revision: e.Revision, Written: e.Written}}
	switch e.Kind {
	case sim.Put:
		ev.Kind = transport.KeyPut
		ev.Entry.Record, ev.Entry.Malformed = transport.DecodeRecord(e.Value)
	case sim.Deleted:
		ev.Kind = transport.KeyDeleted
	case sim.Purged:
		ev.Kind = transport.KeyPurged
	default:
		ev.Kind, ev.Entry.Revision = transport.KeyAbsent, 0
	}
	return ev
}

// liveStore is one client's view of a liveBucket: a transport.LeaseStore.
type liveStore struct{ b *liveBucket }

var _ transport.LeaseStore = liveStore{}

func (s liveStore) Acquire(_ context.Context, role string, rec transport.Record) (transport.Lease, error) {
	if err := checkWrite(role, rec.TTL); err != nil {
		return transport.Lease{}, err
	}
	data, err := transport.EncodeRecord(rec)
	if err != nil {
		return transport.Lease{}, fmt.Errorf("%w: %w", transport.ErrPermanent, err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	e, err := s.b.model.Create(role, data, rec.TTL, time.Now())
	if err != nil {
		return transport.Lease{}, fmt.Errorf("acquire %q: %w", role, transport.ErrConflict)
	}
	return transport.Lease{Role: role, Term: e.Revision, Revision: e.Revision, Record: rec}, nil
}

func (s liveStore) Renew(_ context.Context, lease transport.Lease) (transport.Lease, error) {
	if err := checkWrite(lease.Role, lease.Record.TTL); err != nil {
		return transport.Lease{}, err
	}
	rec := lease.Record
	rec.Term = lease.Term
	data, err := transport.EncodeRecord(rec)
	if err != nil {
		return transport.Lease{}, fmt.Errorf("%w: %w", transport.ErrPermanent, err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	e, err := s.b.model.Update(lease.Role, data, lease.Revision, rec.TTL, time.Now())
	if err != nil {
		return transport.Lease{}, fmt.Errorf("renew %q: %w", lease.Role, transport.ErrConflict)
	}
	lease.Revision, lease.Record = e.Revision, rec
	return lease, nil
}

func (s liveStore) Release(_ context.Context, lease transport.Lease) error {
	if err := checkRole(lease.Role); err != nil {
		return err
	}
	if lease.Revision == 0 {
		return fmt.Errorf("release %q at revision 0: %w", lease.Role, transport.ErrPermanent)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if _, err := s.b.model.DeleteAt(lease.Role, lease.Revision, time.Now()); err != nil {
		return fmt.Errorf("release %q: %w", lease.Role, transport.ErrConflict)
	}
	return nil
}

// Read is what a watcher would see of the key now: the model has one
// copy, the stream leader's.
func (s liveStore) Read(_ context.Context, role string) (transport.KeyEvent, error) {
	if err := checkRole(role); err != nil {
		return transport.KeyEvent{}, err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.b.eventOf(s.b.model.Get(role)), nil
}

func (s liveStore) Get(_ context.Context, role string) (transport.Entry, error) {
	if err := checkRole(role); err != nil {
		return transport.Entry{}, err
	}
	s.b.mu.Lock()
	e := s.b.model.Get(role)
	s.b.mu.Unlock()
	if e.Kind != sim.Put {
		return transport.Entry{}, fmt.Errorf("get %q: %w", role, transport.ErrNotFound)
	}
	return eventOf(e).Entry, nil
}

func (s liveStore) Watch(role string, notify func(transport.KeyEvent), _ ...transport.WatchOption) (transport.Watch, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	w := &liveWatch{b: s.b, role: role, notify: notify}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.watches[w] = true
	first := s.b.eventOf(s.b.model.Get(role))
	s.b.queue <- func() { w.send(first) }
	return w, nil
}

func (s liveStore) WatchConnection(notify func(transport.ConnEvent)) transport.Watch {
	w := &liveWatch{b: s.b}
	s.b.queue <- func() { notify(transport.ConnEvent{State: transport.Connected, At: time.Now()}) }
	return w
}

// liveWatch is a watch of a liveBucket.
type liveWatch struct {
	b      *liveBucket
	role   string
	notify func(transport.KeyEvent)

	mu      sync.Mutex
	stopped bool
}

// send calls notify unless the watch was stopped.
func (w *liveWatch) send(ev transport.KeyEvent) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.notify(ev)
	}
}

func (w *liveWatch) Stop() {
	w.b.mu.Lock()
	delete(w.b.watches, w)
	w.b.mu.Unlock()
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

// checkRole and checkWrite refuse what the JetStream store refuses before
// any I/O.
func checkRole(role string) error {
	if !transport.ValidRole(role) {
		return fmt.Errorf("role %q: %w: %w", role, transport.ErrPermanent, transport.ErrInvalidRole)
	}
	return nil
}

func checkWrite(role string, ttl time.Duration) error {
	if err := checkRole(role); err != nil {
		return err
	}
	if ttl < time.Second || ttl%time.Second != 0 {
		return fmt.Errorf("ttl %v: %w: %w", ttl, transport.ErrPermanent, transport.ErrInvalidTTL)
	}
	return nil
}

// harness makes a liveBucket a storetest.Harness.
type harness struct{ b *liveBucket }

func (h harness) Store() transport.LeaseStore            { return liveStore(h) }
func (h harness) Second(*testing.T) transport.LeaseStore { return liveStore(h) }
func (h harness) DeleteKey(_ *testing.T, role string) {
	h.locked(func() { h.b.model.Delete(role, time.Now()) })
}
func (h harness) PutRaw(_ *testing.T, role string, v []byte) {
	h.locked(func() { h.b.model.Put(role, v, time.Now()) })
}

func (h harness) locked(f func()) {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	f()
}
