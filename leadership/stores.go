package leadership

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/extensions"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
)

// The lease stores of an actor system: one per (connection, bucket), shared
// by every election on the system that uses that connection and bucket, so
// N elections cost one watch of the bucket, one connection listener and one
// check of the stream per PollInterval. The registry lives in the actor system (a
// Proto.Actor extension), so what the user created owns it; a store is
// closed when its last election lets go of it.

// storesID is the extension slot of the registry in every actor system.
var storesID = extensions.NextExtensionID()

// storesMu guards the registration of registries: Proto.Actor's extension
// slots are not synchronized, so the slot is only ever touched under it.
var storesMu sync.Mutex

// storeRegistry implements extensions.Extension.
type storeRegistry struct {
	mu      sync.Mutex // guards entries
	entries map[storeKey]*storeEntry
}

// ExtensionID implements extensions.Extension.
func (*storeRegistry) ExtensionID() extensions.ExtensionID { return storesID }

// storeKey names a shared store.
type storeKey struct {
	nc     *nats.Conn
	bucket string
}

// storeEntry is one shared store, open or being opened.
type storeEntry struct {
	opts  storeOptions
	ready chan struct{} // closed once the open finished
	store *transport.JetStreamStore
	err   error
	refs  int
}

// storeOptions are the settings every election sharing a store must agree on.
type storeOptions struct {
	pollInterval, opTimeout time.Duration
	replicas                int
	session                 transport.SessionOptions
}

// String names the options for an error message.
func (o storeOptions) String() string {
	s := fmt.Sprintf("Timings.PollInterval %v, Timings.OpTimeout %v, Bucket.Replicas %d", o.pollInterval, o.opTimeout, o.replicas)
	if o.session.TTL == 0 {
		return s + ", no sessions"
	}
	return s + fmt.Sprintf(", sessions with TTL %v and Timings.HeartbeatInterval %v", o.session.TTL, o.session.Renew)
}

// storeRef is one election's share of a store. Close gives it back.
type storeRef struct {
	transport.Store
	release func()
	once    sync.Once
}

// Close gives the share back; the store closes with its last share.
func (r *storeRef) Close() { r.once.Do(r.release) }

// storesOf returns system's registry, creating it on first use.
func storesOf(system *actor.ActorSystem) *storeRegistry {
	storesMu.Lock()
	defer storesMu.Unlock()
	if r, ok := system.Extensions.Get(storesID).(*storeRegistry); ok {
		return r
	}
	r := &storeRegistry{entries: map[storeKey]*storeEntry{}}
	system.Extensions.Register(r)
	return r
}

// openShared returns a share of the store of cfg's connection and bucket on
// system, opening it (bounded by ctx) on first use. An election whose
// Timings.PollInterval, Timings.OpTimeout, Bucket.Replicas or session
// settings differ from those the store was opened with gets an error that
// names them: a store has one of each.
func openShared(ctx context.Context, system *actor.ActorSystem, cfg Config) (*storeRef, error) {
	r := storesOf(system)
	key := storeKey{nc: cfg.Conn, bucket: cfg.Bucket.Name}
	want := storeOptions{pollInterval: cfg.Timings.PollInterval, opTimeout: cfg.Timings.OpTimeout, replicas: cfg.Bucket.Replicas, session: cfg.sessionOptions()}
	for {
		r.mu.Lock()
		e, ok := r.entries[key]
		if !ok {
			e = &storeEntry{opts: want, ready: make(chan struct{}), refs: 1}
			r.entries[key] = e
			r.mu.Unlock()
			return r.open(ctx, key, e, cfg)
		}
		if e.opts != want {
			r.mu.Unlock()
			return nil, fmt.Errorf("%w: bucket %q on this connection is already in use with %v; "+
				"this election asks for %v: use the same values, or another connection",
				ErrInvalidConfig, cfg.Bucket.Name, e.opts, want)
		}
		e.refs++
		r.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			r.letGo(key, e)
			return nil, fmt.Errorf("open bucket %q: %w: %w", cfg.Bucket.Name, transport.ErrTransient, ctx.Err())
		}
		if e.err == nil {
			return r.ref(key, e), nil
		}
		r.letGo(key, e) // the opener failed; try again ourselves
		if ctx.Err() != nil {
			return nil, e.err
		}
	}
}

// open opens the entry's store and tells those waiting for it.
func (r *storeRegistry) open(ctx context.Context, key storeKey, e *storeEntry, cfg Config) (*storeRef, error) {
	store, err := cfg.openStore(ctx)
	r.mu.Lock()
	e.store, e.err = store, err
	if err != nil && r.entries[key] == e {
		delete(r.entries, key) // the next election opens afresh
	}
	r.mu.Unlock()
	close(e.ready)
	if err != nil {
		r.letGo(key, e)
		return nil, err
	}
	return r.ref(key, e), nil
}

// ref is a share of an open entry.
func (r *storeRegistry) ref(key storeKey, e *storeEntry) *storeRef {
	return &storeRef{Store: e.store, release: func() { r.letGo(key, e) }}
}

// letGo drops one share of e, closing its store with the last one.
func (r *storeRegistry) letGo(key storeKey, e *storeEntry) {
	r.mu.Lock()
	e.refs--
	last := e.refs == 0
	if last && r.entries[key] == e {
		delete(r.entries, key)
	}
	r.mu.Unlock()
	if last && e.store != nil {
		e.store.Close()
	}
}
