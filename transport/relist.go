package transport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// bucketReader is how the hub reads its bucket: feeds on its stream, and
// the stream's mark. Its fields are set by newHub and never change, so
// checks and re-lists use it from goroutines of their own.
type bucketReader struct {
	js         nats.JetStreamContext // the push API: a feed needs its subscription
	readStream func(context.Context) (streamMark, error)
	// keyPresent reads whether a key holds a value now.
	keyPresent func(ctx context.Context, key string) (bool, error)
	stream     string
	prefix     string
	opTimeout  time.Duration
	stats      *hubStats // atomic counters, also read by Stats
}

// relistResult is what a re-list read: every key's latest entry, and asOf,
// a revision at which the listing was complete, so that a key it did not
// see was absent then.
type relistResult struct {
	events []KeyEvent
	asOf   uint64
	// term is the stream's leadership when the listing began.
	term string
	// streamLast is the stream's last revision when the listing began, and
	// floor the highest revision the hub had delivered before that: a
	// healthy stream is never behind what it delivered.
	streamLast, floor uint64
	took              time.Duration
	err               error
}

// streamMark is what one request for the stream's info tells a poll: its
// last revision, and its term, who leads it and since when (on a single
// server, the server's name alone, which does not change). A term is the only time a clustered stream's log can
// change under a watch other than by appending: a new leader's log wins,
// and a follower's tail the old leader had written may be cut off. A
// watch's consumer that moved with it resumes after the last revision it
// delivered, so entries the new log holds below that revision would never
// reach the hub, and the stream's last revision would not tell.
type streamMark struct {
	last uint64
	term string
}

// relistFloor is how many polls pass at least between the re-lists a poll
// starts without cause; relistPerKey stretches that for a large bucket, so
// those re-lists average at most one message per relistPerKey whatever the
// bucket's size. They bound how long a failure no check sees could hide a
// change: every cause the hub knows of (a reconnect, a drop, a feed that
// ended or fell behind, a stream that started over or changed leader)
// starts a re-list at once.
const (
	relistFloor  = 10
	relistPerKey = 100 * time.Millisecond
)

// errStalled reports a re-list that stopped making progress.
var errStalled = errors.New("re-list made no progress within the operation timeout")

// poll checks, on a goroutine of its own, whether the live watch keeps up
// with the stream, and re-lists instead when the periodic re-list is due
// (keys is how many the hub knows) or while the watch has not delivered the
// bucket's first listing.
func (w *bucketWatch) poll(ctx context.Context, keys int, results chan<- relistResult, checks chan<- checkResult) {
	w.sinceRelist++
	if w.sinceRelist >= w.relistEvery(keys) || !w.listed || w.live == nil {
		w.startRelist(ctx, results)
		return
	}
	if w.checking || w.relisting {
		return
	}
	w.checking = true
	readStream, timeout, floor := w.readStream, w.opTimeout, w.highest
	w.wg.Go(func() {
		octx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		mark, err := readStream(octx)
		checks <- checkResult{mark: mark, floor: floor, err: err}
	})
}

// relistEvery is how many polls pass between re-lists without cause for a
// bucket of keys keys.
func (w *bucketWatch) relistEvery(keys int) int {
	return max(relistFloor, int(time.Duration(keys)*relistPerKey/w.pollInterval))
}

// checkResult is a poll's read of the stream's mark, and floor, the
// highest revision the hub had delivered before the read was sent: the
// stream is never behind that unless it started over. (What the hub
// delivers while the read is out may be newer than the answer.)
type checkResult struct {
	mark  streamMark
	floor uint64
	err   error
}

// checked re-lists unless the check shows the watch keeping up: it has
// delivered everything the stream held at the previous poll, or at least
// something since the previous check (a watch that lags under a stream of
// writes still moves; one that stalled does not, and re-listing a busy
// bucket at every poll would only make the lag worse), the stream is not
// behind what it delivered (which it would be had it started over), and
// the stream's leader is the one of the previous read.
func (w *bucketWatch) checked(ctx context.Context, c checkResult, results chan<- relistResult) {
	w.checking = false
	stalled := w.watermark < w.lastSeen && w.watermark == w.checkedUpTo
	w.checkedUpTo = w.watermark
	if c.err != nil {
		w.startRelist(ctx, results)
		return
	}
	newTerm := c.mark.term != w.term
	w.lastSeen, w.term = c.mark.last, c.mark.term
	if stalled || newTerm || c.mark.last < c.floor {
		w.startRelist(ctx, results)
	}
}

// startRelist starts a re-list unless one is running; its result comes
// back to run on results.
func (w *bucketWatch) startRelist(ctx context.Context, results chan<- relistResult) {
	if w.relisting {
		return
	}
	w.relisting, w.sinceRelist = true, 0
	list, floor := w.list, w.highest
	w.wg.Go(func() {
		r := list(ctx)
		r.floor = floor
		results <- r
	})
}

// relist reads every key's latest entry through a second ordered consumer,
// one pass over the bucket instead of a read per key. It gives up when the
// consumer delivers nothing for the operation timeout, not after a fixed
// time, so a large bucket can take as long as it needs.
func (r *bucketReader) relist(ctx context.Context) relistResult {
	start := time.Now()
	// Taken before the consumer exists, so it is no later than the
	// listing: with an empty bucket it is the only revision the listing
	// can vouch for.
	octx, cancel := context.WithTimeout(ctx, r.opTimeout)
	mark, err := r.readStream(octx)
	cancel()
	if err != nil {
		return relistResult{err: fmt.Errorf("re-list: stream info: %w", err)}
	}
	last := mark.last
	f, err := openFeed(r.js, r.stream, r.prefix)
	if err != nil {
		return relistResult{err: fmt.Errorf("re-list: %w", err)}
	}
	defer func() { r.stats.dropped.Add(uint64(f.close())) }()
	res := relistResult{asOf: last, streamLast: last, term: mark.term, events: make([]KeyEvent, 0, f.pending())}
	stall := time.NewTimer(r.opTimeout)
	defer stall.Stop()
	for {
		select {
		case it := <-f.out:
			if it.listed {
				res.took = time.Since(start)
				return res
			}
			it.ev.FromPoll = true
			res.events = append(res.events, it.ev)
			res.asOf = max(res.asOf, it.ev.Entry.Revision)
			stall.Reset(r.opTimeout)
		case <-f.ended:
			return relistResult{err: fmt.Errorf("re-list: the subscription ended")}
		case <-stall.C:
			return relistResult{err: errStalled}
		case <-ctx.Done():
			return relistResult{err: ctx.Err()}
		}
	}
}

// applyRelist merges a re-list: entries newer than what was delivered are
// delivered, and a key the hub believes held but the listing did not see
// is absent as of the listing, unless something newer was delivered since.
func (h *hub) applyRelist(ctx context.Context, r relistResult) {
	if r.err != nil {
		h.stats.relistFailures.Add(1)
		return
	}
	h.term = r.term // the listing began under it; a later change re-lists
	previous, restarted := h.known, r.streamLast < r.floor || h.wentBack(r)
	if restarted {
		// The stream is behind revisions it once delivered: it lost
		// acknowledged writes (a whole-cluster crash between syncs) or was
		// recreated. Its revisions started over, so what the hub knew
		// orders nothing any more; the listing is the truth. Without this,
		// every later event would look stale and nobody would learn that
		// a lease is free.
		h.known, h.highest = map[string]keyState{}, 0
		h.sessions = newSessionTracker()
		h.stats.restarts.Add(1)
	}
	listed := make(map[string]struct{}, len(r.events))
	for _, ev := range r.events {
		listed[ev.Entry.Role] = struct{}{}
		h.apply(ev, 0)
	}
	for key, st := range previous {
		if _, ok := listed[key]; !ok && (st.present || restarted) {
			h.apply(absentEvent(key), r.asOf)
		}
	}
	h.checkUnseenSessions(ctx)
	h.primeWaiting(r.asOf)
	h.stats.relisted(len(r.events), r.took)
}

// wentBack reports whether the listing found a key at a revision below the
// one the hub had delivered for it before the listing began. A key's latest
// revision never goes down in a stream that keeps what it acknowledged, so
// the stream lost writes and started over, even when new writes since have
// carried its last revision past every one the hub delivered (which hides
// the loss from the comparison with floor). A lease key without a TTL (in
// session mode) gets no expiry marker to tell the hub otherwise.
func (h *hub) wentBack(r relistResult) bool {
	for _, ev := range r.events {
		st, ok := h.known[ev.Entry.Role]
		if ok && st.present && st.revision <= r.floor && ev.Entry.Revision < st.revision {
			return true
		}
	}
	return false
}

// absentEvent is the event for a key a read did not find.
func absentEvent(key string) KeyEvent {
	return KeyEvent{Kind: KeyAbsent, Entry: Entry{Role: key}, FromPoll: true}
}

// streamReader returns a function reading the mark of the bucket's
// stream.
func streamReader(js jetstream.JetStream, bucket string) func(context.Context) (streamMark, error) {
	return func(ctx context.Context) (streamMark, error) {
		s, err := js.Stream(ctx, streamName(bucket))
		if err != nil {
			return streamMark{}, err
		}
		info := s.CachedInfo()
		mark := streamMark{last: info.State.LastSeq}
		if c := info.Cluster; c != nil && c.Leader != "" {
			mark.term = c.Leader
			if c.LeaderSince != nil {
				mark.term += "@" + c.LeaderSince.UTC().Format(time.RFC3339Nano)
			}
		}
		return mark, nil
	}
}
