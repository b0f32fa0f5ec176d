package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
)

// The election's side of its heartbeat child: the core's heartbeat timer
// is armed in the child, which exists only while a term needs renewing.

// heartbeat is the election's record of its heartbeat child.
type heartbeat struct {
	pid *actor.PID
	// The arming in place: for the term, numbered seq, due at due on the
	// election's clock; armed is false once it ticked or was cancelled.
	term, seq uint64
	due       time.Time
	armed     bool
}

// armBeat arms the heartbeat child to tick after after, spawning it
// first if the term has none yet.
func (a *electionActor) armBeat(ctx actor.Context, term uint64, after time.Duration) {
	hb := &a.heartbeat
	hb.term, hb.seq, hb.due, hb.armed = term, hb.seq+1, a.clock.Now().Add(after), true
	if hb.pid == nil {
		// The child announces itself when it starts, and is armed then.
		hb.pid = ctx.Spawn(newHeartbeatProps(a.clock))
		return
	}
	ctx.Send(hb.pid, &armHeartbeat{term: term, seq: hb.seq, after: after})
}

// stopHeartbeat cancels the arming and stops the child: no term needs it.
func (a *electionActor) stopHeartbeat(ctx actor.Context) {
	hb := &a.heartbeat
	hb.armed = false
	if hb.pid != nil {
		ctx.Stop(hb.pid)
		hb.pid = nil
	}
}

// onHeartbeatReady arms a child that (re)started with the time left of the
// arming in place: a restart loses no renewal. A late announcement of a
// child stopped since only arms the current one again, at the same time.
func (a *electionActor) onHeartbeatReady(ctx actor.Context, now time.Time) {
	hb := &a.heartbeat
	if hb.pid == nil || !hb.armed {
		return
	}
	ctx.Send(hb.pid, &armHeartbeat{term: hb.term, seq: hb.seq, after: max(hb.due.Sub(now), 0)})
}

// heartbeatInput turns the tick of the arming in place into the core's
// heartbeat tick, with the newest proof of the lease's session when one
// keeps it (the session's published snapshot, read without a lock); a tick
// of an earlier arming is stale, as a timer's is.
func (a *electionActor) heartbeatInput(msg *heartbeatTick, now time.Time) (fsm.Input, bool) {
	hb := &a.heartbeat
	if !hb.armed || msg.seq != hb.seq {
		return fsm.Input{}, false
	}
	hb.armed = false
	proof := interpret.HeartbeatProof(a.terms.records.get(msg.term), a.store.Proof(), now, time.Now())
	return fsm.Input{Kind: fsm.InTick, At: now, Timer: fsm.TimerHeartbeat, Term: msg.term, SentAt: proof}, true
}
