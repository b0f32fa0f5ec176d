package transport

import (
	"context"
	"fmt"
	"time"
)

// relistResult is what a re-list read: every key's latest entry, and asOf,
// a revision at which the listing was complete, so that a key it did not
// see was absent then.
type relistResult struct {
	events []KeyEvent
	asOf   uint64
	// streamLast is the stream's last revision when the listing began, and
	// floor the highest revision the hub had delivered before that: a
	// healthy stream is never behind what it delivered.
	streamLast, floor uint64
	took              time.Duration
	err               error
}

// fullRelistEvery is how many polls pass between re-lists when every poll
// finds the watch keeping up. A re-list reads every key of the bucket, so
// one per poll costs a process holding 10,000 leases most of its CPU; the
// cheap check runs every poll, and this bounds what a failure it cannot
// see could hide.
const fullRelistEvery = 10

// checkResult is a poll's read of the stream's last revision.
type checkResult struct {
	last uint64
	err  error
}

// poll checks, on a goroutine of its own, whether the live watch keeps up
// with the stream, and re-lists instead every fullRelistEvery polls or
// while the watch has not delivered the bucket's first listing.
func (h *hub) poll(ctx context.Context, results chan<- relistResult, checks chan<- checkResult) {
	h.polls++
	if h.polls%fullRelistEvery == 0 || !h.listed || h.live == nil {
		h.startRelist(ctx, results)
		return
	}
	if h.checking || h.relisting {
		return
	}
	h.checking = true
	h.wg.Go(func() {
		octx, cancel := context.WithTimeout(ctx, h.opTimeout)
		defer cancel()
		last, err := h.lastRevision(octx)
		checks <- checkResult{last: last, err: err}
	})
}

// checked re-lists unless the check shows the watch keeping up: it has
// delivered everything the stream held at the previous poll, and the
// stream is not behind what it delivered (which it would be had it
// started over).
func (h *hub) checked(ctx context.Context, c checkResult, results chan<- relistResult) {
	h.checking = false
	behind := h.watermark < h.lastSeen
	if c.err == nil {
		h.lastSeen = c.last
	}
	if c.err != nil || behind || c.last < h.highest {
		h.startRelist(ctx, results)
	}
}

// startRelist starts a re-list unless one is running; its result comes
// back to run on results.
func (h *hub) startRelist(ctx context.Context, results chan<- relistResult) {
	if h.relisting {
		return
	}
	h.relisting = true
	floor := h.highest
	h.wg.Go(func() {
		r := h.list(ctx)
		r.floor = floor
		results <- r
	})
}

// relist reads every key's latest entry through a second ordered consumer,
// one pass over the bucket instead of a read per key. It gives up when the
// consumer delivers nothing for the operation timeout, not after a fixed
// time, so a large bucket can take as long as it needs.
func (h *hub) relist(ctx context.Context) relistResult {
	start := time.Now()
	// Taken before the consumer exists, so it is no later than the
	// listing: with an empty bucket it is the only revision the listing
	// can vouch for.
	octx, cancel := context.WithTimeout(ctx, h.opTimeout)
	last, err := h.lastRevision(octx)
	cancel()
	if err != nil {
		return relistResult{err: fmt.Errorf("re-list: stream info: %w", err)}
	}
	f, err := openFeed(h.js, h.stream, h.prefix)
	if err != nil {
		return relistResult{err: fmt.Errorf("re-list: %w", err)}
	}
	defer func() { h.stats.dropped.Add(uint64(f.close())) }()
	res := relistResult{asOf: last, streamLast: last}
	stall := time.NewTimer(h.opTimeout)
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
			stall.Reset(h.opTimeout)
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
func (h *hub) applyRelist(r relistResult) {
	if r.err != nil {
		h.stats.relistFailures.Add(1)
		return
	}
	previous, restarted := h.known, r.streamLast < r.floor || h.wentBack(r)
	if restarted {
		// The stream is behind revisions it once delivered: it lost
		// acknowledged writes (a whole-cluster crash between syncs) or was
		// recreated. Its revisions started over, so what the hub knew
		// orders nothing any more; the listing is the truth. Without this,
		// every later event would look stale and nobody would learn that
		// a lease is free.
		h.known, h.highest = map[string]keyState{}, 0
		h.bound, h.boundEntries = map[string]map[string]struct{}{}, map[string]map[string]string{}
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
	h.endUnseenSessions()
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
