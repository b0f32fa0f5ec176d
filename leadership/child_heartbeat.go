package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/transport"
)

// heartbeatChild keeps a leader's heartbeat. The election arms it with
// when the next renewal is due (*armHeartbeat); it ticks the election then
// (*heartbeatTick), and the decision core decides whether to renew. It
// exists only while its election leads: the election spawns it with the
// first renewal of a term and stops it when the term ends.
//
// In session mode, once the session proves the lease, the core parks the
// heartbeat on the session (fsm.DoParkHeartbeat): the child then arms no
// timer, and the store wakes it when the session's proof grows older than
// the arming's After, or the session is no longer the live one. A quiet
// leader's heartbeat costs nothing while its session is proven.
//
// A restarted heartbeat has lost its timer or its wait: it announces
// itself (*heartbeatReady) on every start, and the election arms it again
// with the time still left, or parks it again.
type heartbeatChild struct {
	// timers are made with the first arming on a timer, on its clock.
	timers *actors.Timers
	// armed is set while an arming is in place, for term, numbered seq.
	armed     bool
	term, seq uint64
	// cancelWait stops the wait on the session of a parked arming.
	cancelWait func()
}

// heartbeatTimer names the child's one timer.
const heartbeatTimer = "heartbeat"

// armHeartbeat asks the heartbeat child to tick after After, or, with a
// session, when that session's proof is older than After or it is no
// longer live; an arming replaces the one before. It carries what the
// child needs of its election (the clock and the store's sessions), so
// every heartbeat child shares one Props (see child_setup.go).
type armHeartbeat struct {
	clock    Clock
	sessions transport.Sessions
	// term is the term the renewal is for.
	term uint64
	// seq numbers the election's armings, so a tick of an earlier arming
	// already in the election's mailbox is told from the current one.
	seq   uint64
	after time.Duration
	// session parks the heartbeat on the session key that keeps the lease.
	session string
}

// heartbeatTick tells the election that the renewal armed as seq is due.
type heartbeatTick struct {
	term, seq uint64
}

// heartbeatReady tells the election that its heartbeat child (re)started
// and holds no arming.
type heartbeatReady struct{}

// proofAged is the store's wake of the parked arming seq.
type proofAged struct{ seq uint64 }

// heartbeatProps are the props of every heartbeat child.
var heartbeatProps = actor.PropsFromProducer(func() actor.Actor { return &heartbeatChild{} }, roleMailbox)

// Receive implements actor.Actor.
func (h *heartbeatChild) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		ctx.Send(ctx.Parent(), &heartbeatReady{})
	case *armHeartbeat:
		h.disarm()
		h.armed, h.term, h.seq = true, msg.term, msg.seq
		if msg.session == "" {
			if h.timers == nil {
				h.timers = actors.NewTimers(ctx, actors.WithClock(msg.clock))
			}
			h.timers.After(heartbeatTimer, msg.term, msg.after)
			return
		}
		root, self, seq := ctx.ActorSystem().Root, ctx.Self(), msg.seq
		h.cancelWait = msg.sessions.AwaitProofOlder(msg.session, msg.after, func() { root.Send(self, &proofAged{seq: seq}) })
	case *actors.Tick:
		// A restarted child has no timers until it is armed on one; a
		// tick of its earlier life is stale then.
		if h.timers != nil && h.timers.Current(msg) {
			h.tick(ctx)
		}
	case *proofAged:
		if h.armed && h.seq == msg.seq {
			h.cancelWait = nil
			h.tick(ctx)
		}
	case *actor.Stopping, *actor.Restarting:
		h.disarm()
	}
}

// tick tells the election that the arming in place is due.
func (h *heartbeatChild) tick(ctx actor.Context) {
	if h.armed {
		ctx.Send(ctx.Parent(), &heartbeatTick{term: h.term, seq: h.seq})
		h.armed = false
	}
}

// disarm cancels the arming in place, on a timer or on the session.
func (h *heartbeatChild) disarm() {
	if h.timers != nil {
		h.timers.CancelAll()
	}
	if h.cancelWait != nil {
		h.cancelWait()
		h.cancelWait = nil
	}
	h.armed = false
}
