package transport

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnState is a change in a NATS connection's status as elections see it.
type ConnState int

// Connection states.
const (
	// Connected: the connection is up (reported first when it is up at the
	// start of a ConnWatch).
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

// ConnWatch turns a connection's status changes into ConnEvents.
type ConnWatch struct {
	nc     *nats.Conn
	status chan nats.Status
	events chan ConnEvent
	done   chan struct{}
	once   sync.Once
}

// connEventBuffer holds events for a slow reader; status flips faster than
// this are coalesced by nats.go anyway.
const connEventBuffer = 16

// WatchConnection starts following nc's status. Stop it when done.
func WatchConnection(nc *nats.Conn) *ConnWatch {
	w := &ConnWatch{
		nc:     nc,
		status: nc.StatusChanged(nats.CONNECTED, nats.RECONNECTING, nats.DISCONNECTED, nats.CLOSED),
		events: make(chan ConnEvent, connEventBuffer),
		done:   make(chan struct{}),
	}
	first := Disconnected
	switch {
	case nc.IsClosed():
		first = Closed
	case nc.IsConnected():
		first = Connected
	}
	w.events <- ConnEvent{State: first, At: time.Now()}
	go w.run(first != Connected)
	return w
}

// Events delivers the changes, starting with the state at the start. It is
// closed after Stop, or after Closed is delivered.
func (w *ConnWatch) Events() <-chan ConnEvent { return w.events }

// Stop ends the watch and waits for its goroutine.
func (w *ConnWatch) Stop() {
	w.once.Do(func() { w.nc.RemoveStatusListener(w.status) })
	<-w.done
}

// run translates statuses until the listener is removed or the connection
// closes.
func (w *ConnWatch) run(lost bool) {
	defer close(w.done)
	defer close(w.events)
	for st := range w.status {
		var ev ConnState
		switch st {
		case nats.CONNECTED:
			if !lost {
				continue
			}
			lost = false
			ev = Reconnected
		case nats.RECONNECTING, nats.DISCONNECTED:
			if lost {
				continue
			}
			lost = true
			ev = Disconnected
		case nats.CLOSED:
			ev = Closed
		default:
			continue
		}
		offerLatest(w.events, ConnEvent{State: ev, At: time.Now()})
		if ev == Closed {
			return
		}
	}
}
