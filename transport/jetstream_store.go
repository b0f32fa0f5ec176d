package transport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults for Options.
const (
	DefaultPollInterval = 2 * time.Second
	DefaultOpTimeout    = 2 * time.Second
)

// Options configure Open.
type Options struct {
	// Bucket names and shapes the lease bucket.
	Bucket BucketConfig
	// PollInterval is how often the store checks that its watch of the
	// bucket keeps up: one read of the stream's info. When the watch has
	// not delivered what the stream held at the previous check, the stream
	// has a new leader, or the check fails, the store re-lists the bucket
	// (reads every key's latest entry in one pass), so a watch that stalls
	// without an error hides a change for at most about two intervals.
	// Without cause it re-lists every 10 intervals, or every 100 ms per
	// key of the bucket if that is longer. Default DefaultPollInterval. A store has one
	// value, shared by every watch on it: elections that need another
	// value need another store.
	PollInterval time.Duration
	// OpTimeout bounds an operation whose context has no deadline, and
	// each step of the watch hub's reads (creating a consumer, or waiting
	// for the next entry of a re-list). Default DefaultOpTimeout. Like
	// PollInterval, one value per store.
	OpTimeout time.Duration
	// Session turns on session mode: the store keeps one session key
	// alive, and every lease it acquires is held while that session lives
	// rather than by a TTL of its own. Off when Session.TTL is zero.
	Session SessionOptions
}

// JetStreamStore is the LeaseStore on a JetStream KeyValue bucket. It owns
// one watch of the bucket and one listener of the connection, shared by
// all its watches; share the store itself among the elections on a
// connection and bucket rather than opening one each.
type JetStreamStore struct {
	nc        *nats.Conn
	js        jetstream.JetStream
	kv        jetstream.KeyValue
	bucket    string
	subject   string // prefix of the bucket's key subjects
	opTimeout time.Duration
	// pushJS is nats.go's older JetStream API: its subscriptions report
	// dropped messages, and its message get is served by the stream leader.
	pushJS    nats.JetStreamContext
	hub       *hub
	conn      *connHub
	closeOnce sync.Once
	// closing refuses new registrations once the store closes; Close halts
	// the live ones in regs (their entries lapse by TTL). regMu guards both.
	closing chan struct{}
	regMu   sync.Mutex
	regs    map[*registration]struct{}
	// session keeps the leases in session mode; nil otherwise.
	session *session
	// takeovers gathers the store's takeovers into batches.
	takeovers *takeoverQueue
}

var _ Store = (*JetStreamStore)(nil)

// Open checks the server (JetStream on, version 2.11 or newer), opens or
// creates the bucket and vets its settings, and returns a store on it.
// A ctx without a deadline is bounded by Options.OpTimeout. Close the store
// when done.
func Open(ctx context.Context, nc *nats.Conn, opts Options) (*JetStreamStore, error) {
	cfg := opts.Bucket.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	opts.Session = opts.Session.withDefaults()
	if err := opts.Session.validate(); err != nil {
		return nil, err
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.OpTimeout <= 0 {
		opts.OpTimeout = DefaultOpTimeout
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.OpTimeout)
		defer cancel()
	}
	js, kv, err := openBucket(ctx, nc, cfg, opts.Session.enabled())
	if err != nil {
		return nil, err
	}
	s := &JetStreamStore{
		nc:        nc,
		js:        js,
		kv:        kv,
		bucket:    cfg.Name,
		subject:   "$KV." + cfg.Name + ".",
		opTimeout: opts.OpTimeout,
		closing:   make(chan struct{}),
		regs:      map[*registration]struct{}{},
	}
	s.takeovers = &takeoverQueue{store: s}
	if err := s.start(nc, opts); err != nil {
		return nil, err
	}
	if opts.Session.enabled() {
		// The session key is created by the first acquisition or registry
		// entry that needs it, not here: opening stays one round trip
		// shorter, and a failure to create it is retried like any write.
		s.session = &session{sessionSetup: sessionSetup{store: s, opts: opts.Session, timeout: opts.OpTimeout, opened: s.rewriteRegistrations}}
	}
	return s, nil
}

// Bucket returns the bucket's name.
func (s *JetStreamStore) Bucket() string { return s.bucket }

// Close stops the store's watches and its connection listener and waits
// for their goroutines: no notify runs after Close returns. It does not
// close the connection. It is safe to call more than once.
func (s *JetStreamStore) Close() {
	s.closeOnce.Do(func() {
		s.regMu.Lock()
		close(s.closing)
		regs := s.regs
		s.regs = map[*registration]struct{}{}
		s.regMu.Unlock()
		for r := range regs {
			r.halt()
		}
		if s.session != nil {
			s.session.close()
		}
		s.takeovers.wait()
		s.hub.stop()
		s.conn.stop()
	})
}

// Stats reports what the store's watch hub and session have done.
func (s *JetStreamStore) Stats() StoreStats {
	st := s.hub.snapshot()
	if s.session != nil {
		st.SessionWrites, st.SessionsEnded = s.session.stats.writes.Load(), s.session.stats.ended.Load()
		st.SessionsAbandoned = s.session.stats.abandoned.Load()
	}
	return st
}

// Session returns the key of the store's live session, or "" when the
// store is not in session mode, or no lease or registry entry has needed a
// session yet, or its session ended and none has been opened since.
func (s *JetStreamStore) Session() string {
	if s.session == nil {
		return ""
	}
	return s.session.current()
}

// Acquire implements LeaseStore. In session mode the key has no TTL of its
// own: the record names the store's session, which keeps it.
func (s *JetStreamStore) Acquire(ctx context.Context, role string, rec Record) (Lease, error) {
	if err := checkRole(role); err != nil {
		return Lease{}, err
	}
	if err := checkTTL(rec.TTL); err != nil {
		return Lease{}, err
	}
	rec.Term = 0
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if s.session != nil {
		_, proof, err := s.bindRecord(ctx, &rec)
		if err != nil {
			return Lease{}, fmt.Errorf("acquire %q: %w", role, err)
		}
		return s.create(ctx, role, rec, 0, proof)
	}
	data, err := EncodeRecord(rec)
	if err != nil {
		return Lease{}, fmt.Errorf("acquire %q: %w: %w", role, ErrPermanent, err)
	}
	var rev uint64
	err = guarded(ctx, s.nc, keyRefusal(s.subject+role), func(ctx context.Context) (err error) {
		rev, err = s.kv.Create(ctx, role, data, jetstream.KeyTTL(rec.TTL))
		return err
	})
	if err == nil {
		return Lease{Role: role, Term: rev, Revision: rev, Record: rec}, nil
	}
	err = classify("acquire", role, opWrite, err)
	if errors.Is(err, ErrConflict) && ctx.Err() != nil {
		// Create over a delete or expiry marker reads the marker before it
		// retries; when that read runs out of time, nats.go reports the
		// first attempt's "wrong last sequence" as ErrKeyExists although
		// the key may be free. A conflict nobody proved is transient.
		return Lease{}, fmt.Errorf("acquire %q: %w: create reported the key taken but ran out of time to tell: %w", role, ErrTransient, ctx.Err())
	}
	return Lease{}, err
}

// Renew implements LeaseStore. It publishes to the key's subject with an
// expected-last-sequence check and a message TTL rather than calling
// kv.Update, which drops the key's TTL (the key would then never expire and
// a crashed holder would never be replaced). A session lease's key is not
// written at all: see renewBySession.
func (s *JetStreamStore) Renew(ctx context.Context, lease Lease) (Lease, error) {
	if err := checkRole(lease.Role); err != nil {
		return Lease{}, err
	}
	if err := checkTTL(lease.Record.TTL); err != nil {
		return Lease{}, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if lease.Record.Session != "" {
		return s.renewBySession(ctx, lease)
	}
	rec := lease.Record
	rec.Term = lease.Term
	data, err := EncodeRecord(rec)
	if err != nil {
		return Lease{}, fmt.Errorf("renew %q: %w: %w", lease.Role, ErrPermanent, err)
	}
	var ack *jetstream.PubAck
	err = guarded(ctx, s.nc, keyRefusal(s.subject+lease.Role), func(ctx context.Context) (err error) {
		ack, err = s.js.PublishMsg(ctx, &nats.Msg{Subject: s.subject + lease.Role, Data: data},
			jetstream.WithExpectLastSequencePerSubject(lease.Revision),
			jetstream.WithMsgTTL(rec.TTL))
		return err
	})
	if err != nil {
		return Lease{}, classify("renew", lease.Role, opWrite, err)
	}
	return Lease{Role: lease.Role, Term: lease.Term, Revision: ack.Sequence, Record: rec}, nil
}

// renewBySession renews a session lease: its key is not written; the proof
// is a renewal of its session, shared with every lease the session keeps.
// It returns ErrConflict once the session has ended.
func (s *JetStreamStore) renewBySession(ctx context.Context, lease Lease) (Lease, error) {
	if s.session == nil {
		return Lease{}, fmt.Errorf("renew %q: %w: a session lease on a store without sessions", lease.Role, ErrPermanent)
	}
	proof, err := s.session.prove(ctx, lease.Record.Session)
	if err != nil {
		return Lease{}, fmt.Errorf("renew %q: %w", lease.Role, err)
	}
	lease.Proof = proof
	return lease, nil
}

// Proof implements Sessions: an election proving N leases of one session
// costs no goroutine, round trip or lock for any of them.
func (s *JetStreamStore) Proof() SessionProof {
	if s.session == nil {
		return SessionProof{}
	}
	return s.session.proof()
}

// Get implements LeaseStore.
func (s *JetStreamStore) Get(ctx context.Context, role string) (Entry, error) {
	if err := checkRole(role); err != nil {
		return Entry{}, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var e jetstream.KeyValueEntry
	err := guarded(ctx, s.nc, keyRefusal(s.subject+role), func(ctx context.Context) (err error) {
		e, err = s.kv.Get(ctx, role)
		return err
	})
	if err != nil {
		return Entry{}, classify("get", role, opRead, err)
	}
	return entryFrom(role, e), nil
}

// Watch implements LeaseStore.
func (s *JetStreamStore) Watch(role string, notify func(KeyEvent), opts ...WatchOption) (Watch, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	if notify == nil {
		return nil, fmt.Errorf("watch %q: %w: notify must not be nil", role, ErrPermanent)
	}
	return s.hub.subscribe(role, watchSettings(opts).candidate, func(ev KeyEvent) { notify(s.stamp(ev)) })
}

// stamp marks ev as held under the store's own live session when it is
// (KeyEvent.OurSession). It runs on the delivery goroutine, or in Read.
func (s *JetStreamStore) stamp(ev KeyEvent) KeyEvent {
	if ev.Kind == KeyPut && ev.Entry.Malformed == nil && ev.Entry.Record.Session != "" && s.session != nil {
		ev.OurSession = ev.Entry.Record.Session == s.session.proof().Key
	}
	return ev
}

// WatchConnection implements LeaseStore. A nil notify is a programming
// error and panics here rather than later on the store's goroutine.
func (s *JetStreamStore) WatchConnection(notify func(ConnEvent)) Watch {
	if notify == nil {
		panic("transport: WatchConnection with a nil notify")
	}
	return s.conn.watch(notify)
}

// withTimeout bounds ctx by the store's operation timeout unless it already
// has a deadline.
func (s *JetStreamStore) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.opTimeout)
}

// entryFrom decodes a KV entry holding a value.
func entryFrom(role string, e jetstream.KeyValueEntry) Entry {
	out := Entry{Role: role, Revision: e.Revision(), Written: e.Created()}
	out.Record, out.Malformed = DecodeRecord(e.Value())
	return out
}

// checkRole refuses a role that cannot be a KV key, or whose key is
// reserved for the candidate registry, before any I/O.
func checkRole(role string) error {
	if !validKey(role) {
		return fmt.Errorf("role %q: %w: %w: use letters, digits and -/_=. ('.' not first or last, no '..')", role, ErrPermanent, ErrInvalidRole)
	}
	if reserved(role) {
		return fmt.Errorf("role %q: %w: %w: names starting with %q are reserved for the candidate registry", role, ErrPermanent, ErrInvalidRole, ReservedPrefix)
	}
	return nil
}

// checkTTL refuses TTLs the server cannot honour exactly.
func checkTTL(ttl time.Duration) error {
	if ttl < time.Second || ttl%time.Second != 0 {
		return fmt.Errorf("ttl %v: %w: %w: must be a whole number of seconds, at least 1s", ttl, ErrPermanent, ErrInvalidTTL)
	}
	return nil
}
