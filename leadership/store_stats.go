package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
)

// StoreStats is what the watch hub of a shared lease store has done: drops
// on its watch, re-lists and their duration, restarts of the live watch.
type StoreStats = transport.StoreStats

// SharedStoreStats returns the counters of the lease store that the
// elections on system share for conn and bucket (bucket "" is
// DefaultBucket), so a process can export or watch them: a growing Dropped
// means the process cannot keep up with the bucket. It reports false when
// no election on system has that store open.
func SharedStoreStats(system *actor.ActorSystem, conn *nats.Conn, bucket string) (StoreStats, bool) {
	if system == nil || conn == nil {
		return StoreStats{}, false
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	r := storesOf(system)
	r.mu.Lock()
	e, ok := r.entries[storeKey{nc: conn, bucket: bucket}]
	r.mu.Unlock()
	if !ok {
		return StoreStats{}, false
	}
	select {
	case <-e.ready:
	default:
		return StoreStats{}, false // still opening
	}
	if e.store == nil {
		return StoreStats{}, false
	}
	return e.store.Stats(), true
}
