package transport

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// bucketWatch is the hub's watch of its bucket: the live feed, which
// delivers every change, and the backstop that re-lists the bucket when the
// feed may have missed something: after a reconnect, a drop or a feed that
// ended, when a poll finds the feed behind the stream or the stream under a
// new leader, and now and then without cause (relist.go). Its fields are touched only by the
// hub's goroutine, run, but for bucketReader, which never changes: a check
// or a re-list runs on a goroutine of its own, reads the bucket through it,
// and hands its result back to run.
type bucketWatch struct {
	bucketReader // set by newHub, never changed: safe from any goroutine

	pollInterval time.Duration
	// list reads every key's latest entry; a seam for tests that need to
	// hold a re-list open. Set before start.
	list func(context.Context) relistResult
	wg   sync.WaitGroup // checks, re-lists, and feeds being closed

	live        *feed
	liveSlow    <-chan nats.SubStatus // the live feed's slow-consumer reports
	listed      bool                  // the live feed has delivered its initial values
	watermark   uint64                // the live feed has delivered everything up to this revision
	highest     uint64                // the highest revision delivered: a stream behind it has started over
	relisting   bool
	checking    bool   // a poll's read of the stream's mark is out
	sinceRelist int    // polls since the last re-list began
	lastSeen    uint64 // the stream's last revision at the previous poll
	checkedUpTo uint64 // the watermark at the previous poll's check
	term        string // the stream's leadership as last read
}

// watchRetry is how long the hub waits before recreating a live watch that
// failed to start.
const watchRetry = 250 * time.Millisecond

// openLive starts the live watch. It waits for the server to create the
// consumer, at most the operation timeout; on failure it returns a timer
// channel for the next attempt.
func (w *bucketWatch) openLive() <-chan time.Time {
	f, err := openFeed(w.js, w.stream, w.prefix)
	if err != nil {
		return time.After(watchRetry)
	}
	w.stats.watchStarts.Add(1)
	w.live, w.liveSlow = f, f.sub.StatusChanged(nats.SubscriptionSlowConsumer)
	return nil
}

// dropLive closes the live watch off run's goroutine: unsubscribing an
// ordered consumer deletes it, a round trip.
func (w *bucketWatch) dropLive() {
	old, stats := w.live, w.stats
	w.live, w.liveSlow, w.listed = nil, nil, false
	if old != nil {
		w.wg.Go(func() { stats.dropped.Add(uint64(old.close())) })
	}
}

// checkDrops counts messages nats.go dropped on the live watch because the
// client fell behind and, if any were, re-lists to recover what they said.
func (w *bucketWatch) checkDrops(ctx context.Context, results chan<- relistResult) {
	if w.live == nil {
		return
	}
	if d := w.live.drops(); d > 0 {
		w.stats.dropped.Add(uint64(d))
		w.startRelist(ctx, results)
	}
}
