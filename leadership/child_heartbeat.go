package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
)

// heartbeatChild keeps a leader's heartbeat. The election arms it with
// when the next renewal is due (*armHeartbeat); it ticks the election then
// (*heartbeatTick), and the decision core decides whether to renew. It
// exists only while its election leads: the election spawns it with the
// first renewal of a term and stops it when the term ends.
//
// A restarted heartbeat has lost its timer: it announces itself
// (*heartbeatReady) on every start, and the election arms it again with
// the time still left.
type heartbeatChild struct {
	clock  Clock
	timers *actors.Timers
	armed  *armHeartbeat
}

// heartbeatTimer names the child's one timer.
const heartbeatTimer = "heartbeat"

// armHeartbeat asks the heartbeat child to tick after After; an arming
// replaces the one before.
type armHeartbeat struct {
	// term is the term the renewal is for.
	term uint64
	// seq numbers the election's armings, so a tick of an earlier arming
	// already in the election's mailbox is told from the current one.
	seq   uint64
	after time.Duration
}

// heartbeatTick tells the election that the renewal armed as seq is due.
type heartbeatTick struct {
	term, seq uint64
}

// heartbeatReady tells the election that its heartbeat child (re)started
// and holds no arming.
type heartbeatReady struct{}

// newHeartbeatProps returns the heartbeat child's props.
func newHeartbeatProps(clock Clock) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &heartbeatChild{clock: clock} })
}

// Receive implements actor.Actor.
func (h *heartbeatChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		h.timers = actors.NewTimers(ctx, actors.WithClock(h.clock))
		ctx.Send(ctx.Parent(), &heartbeatReady{})
	case *armHeartbeat:
		h.armed = msg
		h.timers.After(heartbeatTimer, msg.term, msg.after)
	case *actors.Tick:
		if h.timers.Current(msg) && h.armed != nil {
			ctx.Send(ctx.Parent(), &heartbeatTick{term: h.armed.term, seq: h.armed.seq})
			h.armed = nil
		}
	case *actor.Stopping, *actor.Restarting:
		if h.timers != nil {
			h.timers.CancelAll()
		}
	}
}
