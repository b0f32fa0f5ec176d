package actors

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Tick is the message a timer of Timers sends to its actor. Pass every *Tick
// to Timers.Current before acting on it, and do not modify it.
type Tick struct {
	// Name is the timer's name, as given to After or Every.
	Name string
	// Term is the term the timer was armed for (for an election, the token
	// revision), so that a tick from an earlier term is never taken for a
	// current one.
	Term uint64
	// Seq identifies one arming of one timer; it is unique within the process,
	// so a tick from a previous incarnation of the actor is stale too.
	Seq uint64
}

// lastSeq numbers armings process-wide, not per Timers: an actor restarted by
// its supervisor builds new Timers while ticks of the old ones may still sit
// in its mailbox, and those must not match a new arming.
var lastSeq atomic.Uint64

// armed is one pending timer.
type armed struct {
	name   string
	tick   *Tick
	period time.Duration // zero for a one-shot timer
	stop   func() bool
}

// Timers are named one-shot and repeating timers that send *Tick to their
// actor, armed on a Clock (real time unless WithClock says otherwise). Each arming is tagged with a
// term and a sequence number, and Current accepts only the tick of the arming
// in place now: re-arming or cancelling a timer, or arming it for another
// term, makes any tick already sent stale.
//
// Timers belong to one actor and are used only from its Receive; they are not
// safe for concurrent use. The actor calls CancelAll on *actor.Stopping and
// *actor.Restarting so no timer outlives it. A tick already in the mailbox
// when its timer is cancelled is still delivered; Current reports it stale.
type Timers struct {
	self  *actor.PID
	root  *actor.RootContext
	clock Clock
	// armed are the pending timers, one per name. An actor has a handful
	// of names at most, so a slice searched in order costs less than a
	// map, and nothing while none is armed.
	armed []armed
}

// NewTimers returns Timers that send ticks to ctx.Self(). It may be called
// from any message, including *actor.Started.
func NewTimers(ctx actor.Context, opts ...TimersOption) *Timers {
	return newTimers(ctx.ActorSystem(), ctx.Self(), opts...)
}

// newTimers sends through the system's root context rather than the actor's
// own: a timer fires on a goroutine of its own, and an actor context may
// only be used on the actor's goroutine.
func newTimers(system *actor.ActorSystem, self *actor.PID, opts ...TimersOption) *Timers {
	t := &Timers{
		self:  self,
		root:  system.Root,
		clock: realClock{},
	}
	for _, opt := range opts {
		opt(t)
	}
	return t
}

// After arms the one-shot timer name to send one tick for term after d,
// replacing any timer of that name. A d of zero or less sends at once.
func (t *Timers) After(name string, term uint64, d time.Duration) {
	t.Cancel(name)
	t.arm(name, term, d, 0)
}

// Every arms the repeating timer name to send a tick for term every d,
// replacing any timer of that name. It returns an error wrapping
// ErrInvalidPeriod, and arms nothing, when d is not positive.
//
// The delay is fixed, not the rate: the next tick is scheduled when Current
// accepts the previous one, so ticks never pile up behind a busy mailbox. A
// handler that drops ticks without passing them to Current stops the series.
func (t *Timers) Every(name string, term uint64, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: timer %q, period %v", ErrInvalidPeriod, name, d)
	}
	t.Cancel(name)
	t.arm(name, term, d, d)
	return nil
}

// Cancel stops the timer name, if armed. Ticks it already sent are stale.
func (t *Timers) Cancel(name string) {
	if i := t.find(name); i >= 0 {
		t.armed[i].stop()
		t.remove(i)
	}
}

// CancelAll stops every timer. Ticks already sent are stale.
func (t *Timers) CancelAll() {
	for _, a := range t.armed {
		a.stop()
	}
	clear(t.armed)
	t.armed = t.armed[:0]
}

// Current reports whether tick comes from the arming of its timer that is in
// place now: same name, term and sequence number. It accepts a tick once: a
// one-shot timer is then disarmed, and a repeating one is armed again for
// its next tick, which carries a new sequence number.
func (t *Timers) Current(tick *Tick) bool {
	if tick == nil {
		return false
	}
	i := t.find(tick.Name)
	if i < 0 || t.armed[i].tick.Term != tick.Term || t.armed[i].tick.Seq != tick.Seq {
		return false
	}
	a := t.armed[i]
	t.remove(i)
	if a.period > 0 {
		t.arm(tick.Name, tick.Term, a.period, a.period)
	}
	return true
}

// arm schedules one tick after d and records it as the timer's current
// arming; the timer name is not armed (After and Every cancel it first).
func (t *Timers) arm(name string, term uint64, d, period time.Duration) {
	tick := &Tick{Name: name, Term: term, Seq: lastSeq.Add(1)}
	root, self := t.root, t.self
	t.armed = append(t.armed, armed{
		name:   name,
		tick:   tick,
		period: period,
		stop:   t.clock.AfterFunc(d, func() { root.Send(self, tick) }),
	})
}

// find returns the index of the timer name in armed, -1 when it is not
// armed.
func (t *Timers) find(name string) int {
	for i, a := range t.armed {
		if a.name == name {
			return i
		}
	}
	return -1
}

// remove forgets armed[i], keeping no reference to it.
func (t *Timers) remove(i int) {
	last := len(t.armed) - 1
	t.armed[i] = t.armed[last]
	t.armed[last] = armed{}
	t.armed = t.armed[:last]
}
