package transport

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// hub is the watch hub of one store: a single live watch of the whole
// bucket serves every watched key, fanned out by key to callbacks, all on
// the hub's one goroutine, run. Nothing on that goroutine waits for a read:
// the backstop against a watch that stalls without an error (as one can
// after a server restart) is a re-list of the bucket that runs on its own
// goroutine, and whose result run merges by revision. It runs after a
// reconnect, a drop or a watch that ended, when the poll finds the watch
// behind the stream, and every fullRelistEvery polls.
type hub struct {
	js           nats.JetStreamContext // the push API: a feed needs its subscription
	lastRevision func(context.Context) (uint64, error)
	stream       string
	prefix       string
	pollInterval time.Duration
	opTimeout    time.Duration
	// list reads every key's latest entry; a seam for tests that need to
	// hold a re-list open.
	list func(context.Context) relistResult

	mu    sync.Mutex             // guards subs, fresh, groupSubs, freshGroups, orders and latest
	subs  map[string][]*keyWatch // copied on write, so run reads a slice without holding mu
	fresh []*keyWatch            // watches not yet handed to run
	// groupSubs, freshGroups and orders are the registry's watches (copied
	// on write), those not yet primed, and each role's latest order.
	groupSubs   map[string][]*groupWatch
	freshGroups []*groupWatch
	orders      map[string][]Candidate
	// latest is the last event delivered for each watched key, for peek.
	latest map[string]KeyEvent

	wake        chan struct{} // fresh is not empty
	reconnected chan struct{} // the connection came back after a loss
	stats       hubStats
	cancel      context.CancelFunc
	done        chan struct{}
	wg          sync.WaitGroup // re-lists, and feeds being closed

	// Touched only by run.
	known map[string]keyState // every key of the bucket the hub has heard of
	// bound maps a session key to the roles whose latest lease it keeps,
	// and boundEntries to the registry entries it keeps (key -> group).
	bound        map[string]map[string]struct{}
	boundEntries map[string]map[string]string
	groups       map[string]*candidateSet
	live         *feed
	liveSlow     <-chan nats.SubStatus // the live feed's slow-consumer reports
	listed       bool                  // the live feed has delivered its initial values
	watermark    uint64                // the live feed has delivered everything up to this revision
	waiting      []*keyWatch           // watches whose first state awaits a listing
	relisting    bool
	highest      uint64 // the highest revision delivered: a stream behind it has started over
	checking     bool   // a poll's read of the stream's last revision is out
	polls        int    // polls so far, for the periodic full re-list
	lastSeen     uint64 // the stream's last revision at the previous poll
}

// keyWatch is one Watch of a key.
type keyWatch struct {
	listener[KeyEvent]
	key    string
	primed bool // has had its first state; touched only by run
}

// watchRetry is how long the hub waits before recreating a live watch that
// failed to start.
const watchRetry = 250 * time.Millisecond

// newHub returns the hub of the bucket whose stream and key subject prefix
// are given; start starts it.
func newHub(js nats.JetStreamContext, lastRevision func(context.Context) (uint64, error), stream, prefix string, poll, opTimeout time.Duration) *hub {
	h := &hub{
		js:           js,
		lastRevision: lastRevision,
		stream:       stream,
		prefix:       prefix,
		pollInterval: poll,
		opTimeout:    opTimeout,
		subs:         map[string][]*keyWatch{},
		wake:         make(chan struct{}, 1),
		reconnected:  make(chan struct{}, 1),
		done:         make(chan struct{}),
		known:        map[string]keyState{},
		bound:        map[string]map[string]struct{}{},
		boundEntries: map[string]map[string]string{},
		groups:       map[string]*candidateSet{},
		groupSubs:    map[string][]*groupWatch{},
		orders:       map[string][]Candidate{},
		latest:       map[string]KeyEvent{},
	}
	h.list = h.relist
	return h
}

// start starts the hub's goroutine.
func (h *hub) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go h.run(ctx)
}

// stop ends the hub and waits for its goroutines. Watches stay registered
// but are never called again.
func (h *hub) stop() {
	h.cancel()
	<-h.done
}

// onConn is the hub's connection watch: a reconnect replaces the live watch.
func (h *hub) onConn(ev ConnEvent) {
	if ev.State == Reconnected {
		select {
		case h.reconnected <- struct{}{}:
		default: // one is already pending
		}
	}
}

// run owns the live watch and delivers every event until ctx ends.
func (h *hub) run(ctx context.Context) {
	defer close(h.done)
	ticker := time.NewTicker(h.pollInterval)
	defer ticker.Stop()
	results := make(chan relistResult, 1) // one re-list at a time
	checks := make(chan checkResult, 1)   // one check at a time
	retry := h.openLive()
	for {
		var items <-chan feedItem
		var ended <-chan struct{}
		if h.live != nil {
			items, ended = h.live.out, h.live.ended
		}
		select {
		case <-ctx.Done():
			h.dropLive()
			h.wg.Wait()
			return
		case it := <-items:
			if it.listed {
				h.onListed()
			} else {
				h.watermark = max(h.watermark, it.ev.Entry.Revision)
				h.apply(it.ev, 0)
			}
		case <-ended:
			// The subscription ended under us (the connection closed, or
			// nats.go gave up on the consumer, as when its stream was
			// deleted): re-read everything, the stream may have started over.
			h.dropLive()
			retry = h.openLive()
			h.startRelist(ctx, results)
		case <-retry:
			retry = h.openLive()
		case <-h.reconnected:
			// The live watch may be stalled: replace it and re-read everything.
			h.dropLive()
			retry = h.openLive()
			h.startRelist(ctx, results)
		case _, ok := <-h.liveSlow:
			if !ok {
				h.liveSlow = nil
			}
			h.checkDrops(ctx, results)
		case <-ticker.C:
			h.checkDrops(ctx, results)
			h.poll(ctx, results, checks)
		case c := <-checks:
			h.checked(ctx, c, results)
		case r := <-results:
			h.relisting = false
			h.applyRelist(r)
		case <-h.wake:
			h.primeFresh()
			h.primeGroups()
		}
	}
}

// openLive starts the live watch. It waits for the server to create the
// consumer, at most the operation timeout; on failure it returns a timer
// channel for the next attempt.
func (h *hub) openLive() <-chan time.Time {
	f, err := openFeed(h.js, h.stream, h.prefix)
	if err != nil {
		return time.After(watchRetry)
	}
	h.stats.watchStarts.Add(1)
	h.live, h.liveSlow = f, f.sub.StatusChanged(nats.SubscriptionSlowConsumer)
	return nil
}

// dropLive closes the live watch off run's goroutine: unsubscribing an
// ordered consumer deletes it, a round trip.
func (h *hub) dropLive() {
	old := h.live
	h.live, h.liveSlow, h.listed = nil, nil, false
	if old != nil {
		h.wg.Go(func() { h.stats.dropped.Add(uint64(old.close())) })
	}
}

// checkDrops counts messages nats.go dropped on the live watch because the
// client fell behind and, if any were, re-lists to recover what they said.
func (h *hub) checkDrops(ctx context.Context, results chan<- relistResult) {
	if h.live == nil {
		return
	}
	if d := h.live.drops(); d > 0 {
		h.stats.dropped.Add(uint64(d))
		h.startRelist(ctx, results)
	}
}

// onListed runs when the live watch has delivered every key's entry: the
// hub now knows the bucket, and a key it has not heard of is absent.
func (h *hub) onListed() {
	h.listed = true
	h.endUnseenSessions()
	h.primeWaiting(h.watermark)
}

// apply merges ev into the key's state and hands it to the key's watches
// if it is news. asOf is the revision an absent event stands for.
func (h *hub) apply(ev KeyEvent, asOf uint64) {
	if ev.check {
		return // the first half of a takeover: the second supersedes it
	}
	key := ev.Entry.Role
	st, seen := h.known[key]
	next, news := st.advance(seen, ev, asOf)
	h.known[key] = next
	if ev.Kind != KeyAbsent {
		h.highest = max(h.highest, ev.Entry.Revision)
	}
	if !news {
		return
	}
	if group, ok := candidateGroup(key); ok {
		h.applyCandidate(group, ev)
		return
	}
	if isSessionKey(key) {
		if !next.present {
			h.endSession(key)
		}
		return
	}
	if ev = h.bindSession(key, st, seen, ev); ev.Kind == KeySessionEnded {
		next.event = ev
		h.known[key] = next
	}
	h.deliver(key, ev)
}

// deliver hands ev to key's watches and keeps it for peek.
func (h *hub) deliver(key string, ev KeyEvent) {
	h.mu.Lock()
	watches := h.subs[key]
	if len(watches) > 0 {
		h.latest[key] = ev
	}
	h.mu.Unlock()
	for _, w := range watches {
		w.primed = true
		w.send(ev)
	}
}

// peek returns the latest event delivered for a watched key.
func (h *hub) peek(key string) (KeyEvent, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev, ok := h.latest[key]
	return ev, ok
}

// errStalled reports a re-list that stopped making progress.
var errStalled = errors.New("re-list made no progress within the operation timeout")

// streamLastRevision returns a function reading the last revision of the
// bucket's stream.
func streamLastRevision(js jetstream.JetStream, bucket string) func(context.Context) (uint64, error) {
	return func(ctx context.Context) (uint64, error) {
		s, err := js.Stream(ctx, streamName(bucket))
		if err != nil {
			return 0, err
		}
		return s.CachedInfo().State.LastSeq, nil
	}
}
