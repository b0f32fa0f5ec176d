package transport

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnState is a change in a NATS connection's status as elections see it.
type ConnState int

// Connection states.
const (
	// Connected: the connection is up (reported first when it is up as the
	// watch starts).
	Connected ConnState = iota + 1
	// Disconnected: the connection was lost; the client is reconnecting.
	Disconnected
	// Reconnected: the connection is up again after a loss. Anything
	// believed before the loss must be proven again.
	Reconnected
	// Closed: the connection is closed for good.
	Closed
)

// String names the state for logs and metrics.
func (s ConnState) String() string {
	switch s {
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	case Reconnected:
		return "reconnected"
	case Closed:
		return "closed"
	default:
		return "unknown"
	}
}

// ConnEvent is one connection status change.
type ConnEvent struct {
	// State is the new state.
	State ConnState
	// At is when the change was observed, on the local monotonic clock.
	At time.Time
}

// connHub is a store's one listener of its connection's status, fanned out
// to callbacks on its goroutine, so many watchers cost no goroutine each.
type connHub struct {
	nc     *nats.Conn
	status chan nats.Status

	mu sync.Mutex // guards watches and fresh
	// watches is a set, not a list: a process with 10,000 elections
	// registers 10,000 watches, and a list copied on each write cost the
	// registrations quadratic time. Changes of state, rare, copy it.
	watches map[*listener[ConnEvent]]struct{}
	fresh   []*listener[ConnEvent] // watches still owed the current state
	wake    chan struct{}          // fresh is not empty
	done    chan struct{}
}

// startConnHub starts following nc's status.
func startConnHub(nc *nats.Conn) *connHub {
	c := &connHub{
		nc:      nc,
		status:  nc.StatusChanged(nats.CONNECTED, nats.RECONNECTING, nats.DISCONNECTED, nats.CLOSED),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		watches: map[*listener[ConnEvent]]struct{}{},
	}
	// Read after the listener exists, so no change is missed; a change
	// already reflected here arrives again and is ignored as no change.
	state := Disconnected
	switch {
	case nc.IsClosed():
		state = Closed
	case nc.IsConnected():
		state = Connected
	}
	go c.run(state)
	return c
}

// watch registers notify; run calls it first with the current state.
func (c *connHub) watch(notify func(ConnEvent)) Watch {
	l := &listener[ConnEvent]{notify: notify}
	l.remove = func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.watches, l)
	}
	c.mu.Lock()
	c.watches[l] = struct{}{}
	c.fresh = append(c.fresh, l)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // run has a wake-up pending and will take every fresh watch
	}
	return l
}

// stop ends the listener and waits for run.
func (c *connHub) stop() {
	c.nc.RemoveStatusListener(c.status)
	<-c.done
}

// run translates statuses and fans them out until the listener is removed.
// state is the last state reported: Connected and Reconnected mean up.
func (c *connHub) run(state ConnState) {
	defer close(c.done)
	for {
		select {
		case st, ok := <-c.status:
			if !ok {
				return
			}
			next, changed := nextConnState(state, st)
			if !changed {
				continue
			}
			c.primeFresh(state) // their first state comes before this change
			state = next
			ev := ConnEvent{State: next, At: time.Now()}
			c.mu.Lock()
			watches := slices.Collect(maps.Keys(c.watches))
			c.mu.Unlock()
			for _, l := range watches {
				l.send(ev)
			}
		case <-c.wake:
			c.primeFresh(state)
		}
	}
}

// primeFresh gives the watches registered since the last call the current
// state. A new watcher saw no loss, so up is Connected to it.
func (c *connHub) primeFresh(state ConnState) {
	c.mu.Lock()
	fresh := c.fresh
	c.fresh = nil
	c.mu.Unlock()
	first := ConnEvent{State: state, At: time.Now()}
	if state == Reconnected {
		first.State = Connected
	}
	for _, l := range fresh {
		l.send(first)
	}
}

// nextConnState maps a NATS status to the state elections see, and reports
// whether it is a change: nats.go reports a loss as DISCONNECTED then
// RECONNECTING, and elections need to hear of it once.
func nextConnState(state ConnState, st nats.Status) (ConnState, bool) {
	up := state == Connected || state == Reconnected
	switch {
	case state == Closed:
		return state, false
	case st == nats.CLOSED:
		return Closed, true
	case st == nats.CONNECTED && !up:
		return Reconnected, true
	case (st == nats.RECONNECTING || st == nats.DISCONNECTED) && up:
		return Disconnected, true
	default:
		return state, false
	}
}
