package transport

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// hubs shares one watch hub per connection and bucket across every store in
// the process, so a hundred elections cost one KV watch, not a hundred.
var hubs = &hubRegistry{entries: map[hubKey]*hubEntry{}}

// hubKey identifies a hub.
type hubKey struct {
	nc     *nats.Conn
	bucket string
}

// hubEntry is a hub and the number of stores using it.
type hubEntry struct {
	hub  *hub
	refs int
}

// hubRegistry counts references to hubs and stops a hub with its last store.
type hubRegistry struct {
	mu      sync.Mutex // guards entries
	entries map[hubKey]*hubEntry
}

// acquire returns the hub for (nc, bucket), starting it if needed.
func (r *hubRegistry) acquire(nc *nats.Conn, kv jetstream.KeyValue, bucket string, poll, opTimeout time.Duration) *hub {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := hubKey{nc: nc, bucket: bucket}
	e := r.entries[k]
	if e == nil {
		e = &hubEntry{hub: startHub(nc, kv, bucket, poll, opTimeout)}
		r.entries[k] = e
	}
	e.refs++
	return e.hub
}

// release drops one reference to h and stops it with the last.
func (r *hubRegistry) release(h *hub) {
	r.mu.Lock()
	k := hubKey{nc: h.nc, bucket: h.bucket}
	e := r.entries[k]
	if e == nil || e.hub != h {
		r.mu.Unlock()
		return
	}
	e.refs--
	last := e.refs == 0
	if last {
		delete(r.entries, k)
	}
	r.mu.Unlock()
	if last {
		h.stop()
	}
}
