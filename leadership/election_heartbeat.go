package leadership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
)

// The election's side of its heartbeat child: the core's heartbeat timer
// is armed in the child, which exists only while a term needs renewing,
// or parked there on the session that keeps the lease.

// heartbeat is the election's record of its heartbeat child.
type heartbeat struct {
	pid *actor.PID
	// The arming in place: for the term, numbered seq, due at due on the
	// election's clock, or, parked, when session's proof is older than
	// after; armed is false once it ticked or was cancelled.
	term, seq uint64
	due       time.Time
	session   string
	after     time.Duration
	armed     bool
}

// armBeat arms the heartbeat child to tick after after, spawning it
// first if the term has none yet.
func (a *electionActor) armBeat(ctx actor.Context, term uint64, after time.Duration) {
	hb := &a.heartbeat
	hb.term, hb.seq, hb.due, hb.session, hb.after, hb.armed = term, hb.seq+1, a.clock.Now().Add(after), "", after, true
	a.sendArming(ctx)
}

// parkBeat parks the heartbeat on the session that keeps the term's lease:
// it ticks when that session's proof is older than after, or the session
// is no longer live.
func (a *electionActor) parkBeat(ctx actor.Context, term uint64, after time.Duration) {
	hb := &a.heartbeat
	hb.term, hb.seq, hb.due, hb.session, hb.after, hb.armed = term, hb.seq+1, time.Time{}, a.terms.records.get(term).Session, after, true
	a.sendArming(ctx)
}

// sendArming hands the arming in place to the child, spawning it first if
// the term has none yet (it announces itself when it starts, and is armed
// then).
func (a *electionActor) sendArming(ctx actor.Context) {
	hb := &a.heartbeat
	if hb.pid == nil {
		hb.pid = ctx.Spawn(heartbeatProps)
		return
	}
	ctx.Send(hb.pid, a.arming(a.clock.Now()))
}

// arming is the arming in place as the child takes it at now: the time
// left of a timed one.
func (a *electionActor) arming(now time.Time) *armHeartbeat {
	hb := &a.heartbeat
	if hb.session != "" {
		return &armHeartbeat{clock: a.clock, sessions: a.store, term: hb.term, seq: hb.seq, after: hb.after, session: hb.session}
	}
	return &armHeartbeat{clock: a.clock, sessions: a.store, term: hb.term, seq: hb.seq, after: max(hb.due.Sub(now), 0)}
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

// onHeartbeatReady arms a child that (re)started with the arming in place:
// a restart loses no renewal. A late announcement of a child stopped since
// only arms the current one again, at the same time.
func (a *electionActor) onHeartbeatReady(ctx actor.Context, now time.Time) {
	hb := &a.heartbeat
	if hb.pid == nil || !hb.armed {
		return
	}
	ctx.Send(hb.pid, a.arming(now))
}

// heartbeatInput turns the tick of the arming in place into the core's
// heartbeat tick; a tick of an earlier arming is stale, as a timer's is.
func (a *electionActor) heartbeatInput(msg *heartbeatTick, now time.Time) (fsm.Input, bool) {
	hb := &a.heartbeat
	if !hb.armed || msg.seq != hb.seq {
		return fsm.Input{}, false
	}
	hb.armed = false
	return fsm.Input{Kind: fsm.InTick, At: now, Timer: fsm.TimerHeartbeat, Term: msg.term}, true
}
