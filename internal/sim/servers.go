package sim

import "time"

// The servers: the bucket's stream is replicated on three nodes, one of
// which leads it. TTLs run on the servers' wall clocks: the leader stamps
// each message with its wall clock when it stores it (expires = stamp +
// TTL), and whichever node leads the stream when the TTL runs out compares
// that with its own wall clock. Every node's wall clock is the server's
// drifting clock (world.server) plus an offset of its own, within
// Options.ServerSkew of the others; a node's clock can step forward within
// that bound; the stream's leader changes. An offset between the node that
// stamped a message and the one that expires it, or a step, shortens a
// lease by that much, which the deadline allows for (leadership's
// MaxServerClockSkew).

// serverNodes is how many nodes hold the stream.
const serverNodes = 3

// maxMarkerLag bounds how long, in server time, the stream leader's limit
// marker takes from its decision to being applied: the writes already in
// flight are applied first (measured: the claim and the marker that erased
// it were 31ms apart in a trace on an R3 cluster, nats-server 2.15.2).
const maxMarkerLag = 50 * time.Millisecond

// servers are the stream's nodes: their clocks' offsets and which leads.
type servers struct {
	offset [serverNodes]time.Duration
	leader int
}

// drawServers draws each node's offset in [0, ServerSkew] and the first
// leader.
func (w *world) drawServers() {
	skew := w.opts.serverSkew()
	for i := range w.nodes.offset {
		w.nodes.offset[i] = time.Duration(w.rng.Int64N(int64(skew) + 1))
	}
	w.nodes.leader = w.rng.IntN(serverNodes)
}

// serverNow is the stream leader's wall clock now: the time the store
// stamps messages with and expires them by.
func (w *world) serverNow() time.Time {
	return w.server.at(w.now).Add(w.nodes.offset[w.nodes.leader])
}

// serverWhen is the true time at which the stream leader's wall clock
// reads t, as the leader and its offset are now.
func (w *world) serverWhen(t time.Time) time.Duration {
	return w.server.after(t.Add(-w.nodes.offset[w.nodes.leader]))
}

// earliestExpiry is the earliest true time at which a message expiring at
// t on the stream leader's wall clock could be expired: by a node whose
// clock is ahead by the whole ServerSkew, which a leader change or a step
// may bring about at any time.
func (w *world) earliestExpiry(t time.Time) time.Duration {
	return w.server.when(t.Add(-w.opts.serverSkew()))
}

// changeLeader moves the stream's leadership to another node. Its sweep
// timer is its own: the sweeps run on a new phase, and expiry goes by its
// clock from now on.
func (w *world) changeLeader() {
	w.nodes.leader = (w.nodes.leader + 1 + w.rng.IntN(serverNodes-1)) % serverNodes
	w.store.SweepPhase = w.serverNow().Add(time.Duration(w.rng.Int64N(int64(w.store.SweepEvery))))
	w.mix(uint64(w.nodes.leader))
	w.scheduleSweep()
}

// stepClock steps node i's wall clock forward, staying within ServerSkew
// of the others.
func (w *world) stepClock(i int) {
	skew, off := w.opts.serverSkew(), w.nodes.offset[i]
	w.nodes.offset[i] = off + time.Duration(w.rng.Int64N(int64(skew-off)+1))
	w.mix(uint64(w.nodes.offset[i]))
	if i == w.nodes.leader {
		w.scheduleSweep()
	}
}

// markerLag draws how long a decided limit marker takes to be applied, in
// true time: none at all in a quarter of the expiries, else up to
// maxMarkerLag of server time.
func (w *world) markerLag() time.Duration {
	if w.rng.IntN(4) == 0 {
		return 0
	}
	return w.server.span(time.Duration(w.rng.Int64N(int64(maxMarkerLag))))
}

// sweep runs the stream leader's expiry sweep now and proposes a limit
// marker for every value that expired; each is applied after its lag.
func (w *world) sweep() {
	for _, key := range w.store.Sweep(w.serverNow()) {
		lag := w.markerLag()
		w.tracef("store %s expired; its limit marker applies in %v", key, lag)
		w.at(lag, func() { w.mark(key) })
	}
}

// mark applies a proposed limit marker, or, while the store is down, when
// it comes back: the proposal was made, and the stream applies it.
func (w *world) mark(key string) {
	if !w.storeUp {
		w.proposed = append(w.proposed, key)
		return
	}
	if _, erased := w.store.Mark(key, w.serverNow()); erased {
		w.res.Erased++
	}
}
