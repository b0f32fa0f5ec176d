package leadership

import (
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
