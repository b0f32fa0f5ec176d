package transport

import (
	"sync/atomic"
	"time"
)

// StoreStats is what a store's watch hub has done, for metrics and for
// telling a slow client from a quiet bucket.
type StoreStats struct {
	// Watched is how many keys have at least one watch.
	Watched int
	// Dropped counts messages nats.go dropped on the store's watch
	// subscriptions because the client fell behind (a slow consumer). Each
	// drop starts a re-list, so what the dropped messages said is read
	// again; a growing count means the process cannot keep up.
	Dropped uint64
	// Relists counts completed re-lists: reads of every key's latest entry,
	// run when a poll finds the watch behind or the stream under a new
	// leader, after a reconnect and after a drop, and without cause every
	// 10 PollIntervals, or every 100 ms per key of the bucket if longer.
	Relists uint64
	// RelistFailures counts re-lists that failed or stalled; the next
	// PollInterval tries again.
	RelistFailures uint64
	// StreamRestarts counts re-lists that found the stream behind revisions
	// it had delivered (acknowledged writes lost in a whole-cluster crash,
	// or the bucket recreated); the hub then forgot what it knew and took
	// the listing as the truth.
	StreamRestarts uint64
	// LastRelistDuration is how long the last completed re-list took.
	LastRelistDuration time.Duration
	// LastRelistEntries is how many keys the last completed re-list read.
	LastRelistEntries int
	// WatchStarts counts how many times the live watch of the bucket was
	// started: once at Open, then after each reconnect or loss.
	WatchStarts uint64
	// SessionWrites counts renewals of the session key sent (session mode):
	// every lease the store holds is kept by them.
	SessionWrites uint64
	// SessionsEnded counts sessions the server let go under the store (a
	// renewal was refused); the leases they kept ended with them.
	SessionsEnded uint64
	// SessionsAbandoned counts sessions given up because no renewal proved
	// them within SessionOptions.ProofWindow (they count as ended too).
	SessionsAbandoned uint64
}

// hubStats are the hub's counters: atomic, so its goroutines write them and
// Stats reads them at any time without a lock.
type hubStats struct {
	dropped        atomic.Uint64
	relists        atomic.Uint64
	relistFailures atomic.Uint64
	restarts       atomic.Uint64
	lastRelist     atomic.Int64 // nanoseconds
	lastEntries    atomic.Int64
	watchStarts    atomic.Uint64
}

// relisted records a completed re-list.
func (s *hubStats) relisted(entries int, took time.Duration) {
	s.lastRelist.Store(int64(took))
	s.lastEntries.Store(int64(entries))
	s.relists.Add(1)
}

// snapshot returns the counters as StoreStats.
func (h *hub) snapshot() StoreStats {
	return StoreStats{
		Watched:            h.keys.watched(),
		Dropped:            h.stats.dropped.Load(),
		Relists:            h.stats.relists.Load(),
		RelistFailures:     h.stats.relistFailures.Load(),
		StreamRestarts:     h.stats.restarts.Load(),
		LastRelistDuration: time.Duration(h.stats.lastRelist.Load()),
		LastRelistEntries:  int(h.stats.lastEntries.Load()),
		WatchStarts:        h.stats.watchStarts.Load(),
	}
}
