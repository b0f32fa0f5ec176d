package transport

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// hub is the watch hub of one bucket on one connection: a single KV watch
// serves every role watched in the process, fanned out by key. It recreates
// the watch after a reconnect (a server restart can stall a watch for many
// seconds without an error) and reads every watched key each poll interval
// so a stalled watch cannot hide a release for longer than that.
type hub struct {
	nc           *nats.Conn
	kv           jetstream.KeyValue
	bucket       string
	pollInterval time.Duration
	opTimeout    time.Duration

	mu    sync.Mutex // guards subs and known
	subs  map[string]map[*subscription]struct{}
	known map[string]keyState

	pollNow chan string
	cancel  context.CancelFunc
	done    chan struct{}
}

// keyState is the last state of a key the hub delivered, used to drop stale
// and repeated events.
type keyState struct {
	present  bool
	revision uint64
	event    KeyEvent
}

// watchRetry bounds how long the hub waits before recreating a watch that
// failed to start.
const watchRetry = 250 * time.Millisecond

// startHub starts the hub's goroutine.
func startHub(nc *nats.Conn, kv jetstream.KeyValue, bucket string, poll, opTimeout time.Duration) *hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &hub{
		nc:           nc,
		kv:           kv,
		bucket:       bucket,
		pollInterval: poll,
		opTimeout:    opTimeout,
		subs:         map[string]map[*subscription]struct{}{},
		known:        map[string]keyState{},
		pollNow:      make(chan string, 64),
		cancel:       cancel,
		done:         make(chan struct{}),
	}
	go h.run(ctx)
	return h
}

// stop ends the hub and closes every subscription.
func (h *hub) stop() {
	h.cancel()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for s := range set {
			s.closeLocked()
		}
	}
	h.subs = map[string]map[*subscription]struct{}{}
}

// run owns the KV watch until ctx ends.
func (h *hub) run(ctx context.Context) {
	defer close(h.done)
	reconnected := h.nc.StatusChanged(nats.CONNECTED)
	defer h.nc.RemoveStatusListener(reconnected)
	ticker := time.NewTicker(h.pollInterval)
	defer ticker.Stop()
	for ctx.Err() == nil {
		w, err := h.kv.WatchAll(ctx)
		if err != nil {
			w = nil
		}
		h.follow(ctx, w, reconnected, ticker.C)
		if w != nil {
			stopWatcher(w)
		}
	}
}

// follow serves one watch (nil when it failed to start) until it ends, the
// connection comes back after a loss, or ctx ends. It returns when the
// watch should be recreated.
func (h *hub) follow(ctx context.Context, w jetstream.KeyWatcher, reconnected <-chan nats.Status, tick <-chan time.Time) {
	var updates <-chan jetstream.KeyValueEntry
	var retry <-chan time.Time
	if w != nil {
		updates = w.Updates()
	} else {
		t := time.NewTimer(watchRetry)
		defer t.Stop()
		retry = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-retry:
			return
		case e, ok := <-updates:
			if !ok {
				return
			}
			if e != nil {
				h.deliverWatched(e)
			}
		case <-reconnected:
			// The old watch may be stalled: replace it and read every key.
			h.pollAll(ctx)
			return
		case <-tick:
			h.pollAll(ctx)
		case key := <-h.pollNow:
			h.poll(ctx, key)
		}
	}
}

// stopWatcher stops w and drains what nats.go already queued, so its
// delivery goroutine is not left blocked on a full channel.
func stopWatcher(w jetstream.KeyWatcher) {
	_ = w.Stop()
	drain := time.NewTimer(time.Second)
	defer drain.Stop()
	for {
		select {
		case _, ok := <-w.Updates():
			if !ok {
				return
			}
		case <-drain.C:
			return
		}
	}
}

// deliverWatched turns a watch entry into an event.
func (h *hub) deliverWatched(e jetstream.KeyValueEntry) {
	ev := KeyEvent{Entry: Entry{Role: e.Key(), Revision: e.Revision(), Written: e.Created()}}
	switch e.Operation() {
	case jetstream.KeyValuePut:
		ev.Kind = KeyPut
		ev.Entry = entryFrom(e.Key(), e)
	case jetstream.KeyValueDelete:
		ev.Kind = KeyDeleted
	default:
		ev.Kind = KeyPurged
	}
	h.deliver(ev)
}

// pollAll reads every watched key.
func (h *hub) pollAll(ctx context.Context) {
	h.mu.Lock()
	keys := make([]string, 0, len(h.subs))
	for k := range h.subs {
		keys = append(keys, k)
	}
	h.mu.Unlock()
	for _, k := range keys {
		h.poll(ctx, k)
	}
}

// poll reads one key and delivers what it found if it is news.
func (h *hub) poll(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(ctx, h.opTimeout)
	defer cancel()
	e, err := h.kv.Get(ctx, key)
	switch {
	case err == nil:
		h.deliver(KeyEvent{Kind: KeyPut, Entry: entryFrom(key, e), FromPoll: true})
	case errors.Is(err, jetstream.ErrKeyNotFound):
		h.deliver(KeyEvent{Kind: KeyAbsent, Entry: Entry{Role: key}, FromPoll: true})
	}
	// Any other error tells nothing about the key; the next poll retries.
}

// deliver records ev as the key's state and sends it to the key's
// subscribers, unless it is older than or the same as what was delivered.
func (h *hub) deliver(ev KeyEvent) {
	key := ev.Entry.Role
	h.mu.Lock()
	defer h.mu.Unlock()
	last, seen := h.known[key]
	if seen {
		switch {
		case ev.Kind == KeyAbsent && !last.present:
			return // still free
		case ev.Kind != KeyAbsent && ev.Entry.Revision <= last.revision:
			return // stale or repeated
		}
	}
	next := keyState{present: ev.Kind == KeyPut, revision: last.revision, event: ev}
	if ev.Kind != KeyAbsent {
		next.revision = ev.Entry.Revision
	}
	h.known[key] = next
	for s := range h.subs[key] {
		s.sendLocked(ev)
	}
}

// subscribe adds a subscription for key and starts it with the key's state:
// the last known one, or a fresh read.
func (h *hub) subscribe(key string) (Watch, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.done:
		return nil, errors.Join(ErrPermanent, ErrClosed)
	default:
	}
	s := &subscription{hub: h, key: key, events: make(chan KeyEvent, subscriptionBuffer)}
	if h.subs[key] == nil {
		h.subs[key] = map[*subscription]struct{}{}
	}
	h.subs[key][s] = struct{}{}
	if last, ok := h.known[key]; ok {
		s.sendLocked(last.event)
	} else {
		select {
		case h.pollNow <- key:
		default: // the next periodic poll reads it
		}
	}
	return s, nil
}

// unsubscribe removes s.
func (h *hub) unsubscribe(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.subs[s.key]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.subs, s.key)
		}
	}
	s.closeLocked()
}
