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
	// PollInterval is how often the watch hub reads each watched key as a
	// backstop for a stalled watch. Default DefaultPollInterval.
	PollInterval time.Duration
	// OpTimeout bounds an operation whose context has no deadline.
	// Default DefaultOpTimeout.
	OpTimeout time.Duration
}

// JetStreamStore is the LeaseStore on a JetStream KeyValue bucket. Stores
// opened on the same connection and bucket share one watch hub.
type JetStreamStore struct {
	nc        *nats.Conn
	js        jetstream.JetStream
	kv        jetstream.KeyValue
	bucket    string
	subject   string // prefix of the bucket's key subjects
	opTimeout time.Duration
	hub       *hub
	closeOnce sync.Once
}

var _ LeaseStore = (*JetStreamStore)(nil)

// Open checks the server (JetStream on, version 2.11 or newer), opens or
// creates the bucket and vets its settings, and returns a store on it.
// A ctx without a deadline is bounded by Options.OpTimeout. Close the store
// when done.
func Open(ctx context.Context, nc *nats.Conn, opts Options) (*JetStreamStore, error) {
	cfg := opts.Bucket.withDefaults()
	if err := cfg.validate(); err != nil {
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
	js, kv, err := openBucket(ctx, nc, cfg)
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
	}
	s.hub = hubs.acquire(nc, kv, cfg.Name, opts.PollInterval, opts.OpTimeout)
	return s, nil
}

// Bucket returns the bucket's name.
func (s *JetStreamStore) Bucket() string { return s.bucket }

// Close releases the store's share of the watch hub. Watches opened from it
// keep working until their hub's last store closes.
func (s *JetStreamStore) Close() {
	s.closeOnce.Do(func() { hubs.release(s.hub) })
}

// Acquire implements LeaseStore.
func (s *JetStreamStore) Acquire(ctx context.Context, role string, rec Record) (Lease, error) {
	if err := checkRole(role); err != nil {
		return Lease{}, err
	}
	if err := checkTTL(rec.TTL); err != nil {
		return Lease{}, err
	}
	rec.Term = 0
	data, err := EncodeRecord(rec)
	if err != nil {
		return Lease{}, fmt.Errorf("acquire %q: %w: %w", role, ErrPermanent, err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
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
// a crashed holder would never be replaced).
func (s *JetStreamStore) Renew(ctx context.Context, lease Lease) (Lease, error) {
	if err := checkRole(lease.Role); err != nil {
		return Lease{}, err
	}
	if err := checkTTL(lease.Record.TTL); err != nil {
		return Lease{}, err
	}
	rec := lease.Record
	rec.Term = lease.Term
	data, err := EncodeRecord(rec)
	if err != nil {
		return Lease{}, fmt.Errorf("renew %q: %w: %w", lease.Role, ErrPermanent, err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
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

// Release implements LeaseStore.
func (s *JetStreamStore) Release(ctx context.Context, lease Lease) error {
	if err := checkRole(lease.Role); err != nil {
		return err
	}
	if lease.Revision == 0 {
		return fmt.Errorf("release %q: %w: revision must not be zero (an unconditional delete could remove a successor's lease)", lease.Role, ErrPermanent)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	err := guarded(ctx, s.nc, keyRefusal(s.subject+lease.Role), func(ctx context.Context) error {
		return s.kv.Delete(ctx, lease.Role, jetstream.LastRevision(lease.Revision))
	})
	return classify("release", lease.Role, opWrite, err)
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
func (s *JetStreamStore) Watch(role string) (Watch, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	return s.hub.subscribe(role)
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

// checkRole refuses a role that cannot be a KV key before any I/O.
func checkRole(role string) error {
	if !validKey(role) {
		return fmt.Errorf("role %q: %w: %w: use letters, digits and -/_=. ('.' not first or last, no '..')", role, ErrPermanent, ErrInvalidRole)
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
