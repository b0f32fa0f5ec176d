package leadership

import (
	"sync"
	"time"

	"github.com/batonhq/baton/internal/window"
	"github.com/nats-io/nats.go"
)

// A window of starts per connection. Each election's first move is a few
// writes (its registration, its session's, its acquisition); a process that
// calls Start for thousands of elections at once, from many goroutines,
// would have all their writes reach the server together, answered later
// than OpTimeout, each ending with its outcome unknown and its election
// backing off, and the last of them leading many seconds after the last
// Start returned. So a Start waits until fewer than maxStartsInFlight
// elections of its connection are still to make their first move (or have
// run for an OpTimeout without it). One Start at a time never waits: its
// election makes its first move while the caller starts the next.

// maxStartsInFlight bounds the elections of one connection that have
// started and not made their first move.
const maxStartsInFlight = 256

// startWindows are the windows of the connections with elections starting.
var startWindows = window.New[*nats.Conn](maxStartsInFlight)

// startRoom is an election's room in its connection's window of starts. It
// is given back once: at the election's first move, when its start failed,
// or an OpTimeout after it was taken, so an election whose first move does
// not come (a slow server, a candidate that defers to a higher priority)
// does not hold up the others for longer than an operation.
type startRoom struct {
	leave func()
	once  sync.Once
}

// takeRoom keeps leave, the room Enter gave, until give or timeout.
func takeRoom(leave func(), timeout time.Duration) *startRoom {
	r := &startRoom{leave: leave}
	time.AfterFunc(timeout, r.give)
	return r
}

// give gives the room back; safe to call more than once, from any
// goroutine.
func (r *startRoom) give() {
	r.once.Do(func() {
		r.leave()
		r.leave = nil
	})
}

// movedFirst reports whether st shows an election's first move, or that it
// will make none: the moment its room in the window is given back.
func movedFirst(st *Status) bool {
	return firstMove(st) || st.Err != nil || st.State == PhaseStopped
}
