package transport

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
)

// hub is the watch hub of one store: a single live watch of the whole
// bucket serves every watched key, fanned out by key to callbacks, all on
// the hub's one goroutine, run. Nothing on that goroutine waits for a read:
// the backstop against a watch that stalls without an error (as one can
// after a server restart) is a re-list of the bucket that runs on its own
// goroutine, and whose result run merges by revision.
//
// The hub is made of parts with one job each:
//   - bucketWatch (hub_feed.go, relist.go): the live feed of the bucket,
//     and the polls and re-lists that back it up;
//   - keyFanout (hub_keys.go): the watches of each key, and the last event
//     each was given (peek);
//   - orderFanout and candidateSet (hub_orders.go): each role's order of
//     succession and its watches;
//   - sessionTracker (hub_sessions.go): which sessions keep which leases and
//     registry entries, so that their end reaches them.
//
// The hub's own state is run's: bucketWatch (embedded, as run's loop is
// mostly its), known, sessions, groups and waiting are touched only by run.
// Its other fields are set by newHub and start and never written again: the
// channels, and the two fan-outs, which other goroutines call and which
// guard their state with a lock each.
type hub struct {
	bucketWatch

	keys   *keyFanout   // Watch calls it from any goroutine
	orders *orderFanout // WatchCandidates and Candidates call it from any goroutine

	wake        chan struct{} // a fan-out has new watches for run to prime
	gone        chan []string // sessions a read found without a key (checkUnseenSessions)
	reconnected chan struct{} // the connection came back after a loss
	cancel      context.CancelFunc
	done        chan struct{} // closed when run has returned

	known    map[string]keyState      // every key of the bucket the hub has heard of
	sessions sessionTracker           // which sessions keep which leases and entries
	groups   map[string]*candidateSet // each role's registry, by group key
	waiting  []*keyWatch              // watches whose first state awaits a listing
	flush    <-chan time.Time         // fires when the deferred changes are due (armFlush)
}

// bucketReads are the reads a hub makes of its bucket besides its feeds:
// the stream's mark, and whether a key holds a value now.
type bucketReads struct {
	stream     func(context.Context) (streamMark, error)
	keyPresent func(ctx context.Context, key string) (bool, error)
}

// newHub returns the hub of the bucket whose stream and key subject prefix
// are given; start starts it.
func newHub(js nats.JetStreamContext, reads bucketReads, stream, prefix string, poll, opTimeout time.Duration) *hub {
	h := &hub{
		bucketWatch: bucketWatch{
			bucketReader: bucketReader{
				js:         js,
				readStream: reads.stream,
				keyPresent: reads.keyPresent,
				stream:     stream,
				prefix:     prefix,
				opTimeout:  opTimeout,
				stats:      &hubStats{},
			},
			pollInterval: poll,
		},
		keys:        newKeyFanout(deferringWatches),
		orders:      newOrderFanout(),
		wake:        make(chan struct{}, 1),
		gone:        make(chan []string),
		reconnected: make(chan struct{}, 1),
		done:        make(chan struct{}),
		known:       map[string]keyState{},
		sessions:    newSessionTracker(),
		groups:      map[string]*candidateSet{},
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

// signal wakes run to prime the watches a fan-out has registered.
func (h *hub) signal() {
	select {
	case h.wake <- struct{}{}:
	default: // run has a wake-up pending and will take every fresh watch
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
				h.onListed(ctx)
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
			h.poll(ctx, len(h.known), results, checks)
		case c := <-checks:
			h.checked(ctx, c, results)
		case r := <-results:
			h.relisting = false
			h.applyRelist(ctx, r)
		case gone := <-h.gone:
			h.endGoneSessions(gone)
		case <-h.wake:
			h.primeFresh()
			h.orders.primeFresh()
		case <-h.flush:
			h.flush = nil
			h.keys.flush()
		}
		h.armFlush()
	}
}

// onListed runs when the live watch has delivered every key's entry: the
// hub now knows the bucket, and a key it has not heard of is absent.
func (h *hub) onListed(ctx context.Context) {
	h.listed = true
	h.checkUnseenSessions(ctx)
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
	if news && ev.undecoded {
		ev.decode()
	}
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
	ev = h.bindSession(key, st, seen, ev)
	next.event = &ev
	h.known[key] = next
	h.keys.deliver(key, st.last(), seen, ev)
}
