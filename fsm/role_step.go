package fsm

import (
	"slices"
	"sync"
)

// roleStep is one application of RoleStep: the state being built, the input
// being decided and the effects so far.
type roleStep struct {
	s       RoleState
	in      RoleInput
	rows    *engine[*roleStep, RoleInputKind]
	effects []RoleEffect
}

// roleAfterEveryInput is the pseudo-input of rows tried after every input.
const roleAfterEveryInput RoleInputKind = 0

// roleEngine checks the role rows against the role table once, when
// RoleStep is first called.
var roleEngine = sync.OnceValues(func() (*engine[*roleStep, RoleInputKind], error) {
	return newEngine(RoleLifecycle(), roleRows(), lastRoleInput)
})

// RoleStep is the decision core of a role: given its state and one input,
// it returns the next state and the effects to carry out, in order. Like
// Step it reads no clock, does no I/O and keeps no state of its own.
func RoleStep(s RoleState, in RoleInput) (RoleState, []RoleEffect) {
	c := &roleStep{s: s, in: in, rows: loaded(roleEngine)}
	c.s.Waiting = slices.Clone(s.Waiting)
	c.apply(in)
	// Settling can release waiting events, each of which may settle again.
	// Every pass releases a waiting event or moves the phase on, at most a
	// few times per event, so the bound is never reached by a valid table.
	for range 4*len(c.s.Waiting) + 8 {
		if !c.apply(RoleInput{Kind: roleAfterEveryInput}) {
			break
		}
	}
	return c.s, c.effects
}

// apply decides in: it runs the first matching row and reports whether one
// did. A released waiting event is decided inside the row that releases it,
// so the input being decided is set for the row and restored after.
func (c *roleStep) apply(in RoleInput) bool {
	prev := c.in
	c.in = in
	applied := c.rows.apply(c, in.Kind) >= 0
	c.in = prev
	return applied
}

// phase implements stepper.
func (c *roleStep) phase() State { return c.s.Phase }

// enter implements stepper: a row that fires an event moves the phase. Role
// rows give no reason: a term's end carries the election's.
func (c *roleStep) enter(ev Event, to State, _ Reason) {
	if ev != "" {
		c.s.Phase = to
	}
}

// RoleRows describes the role lifecycle's rows for the generated docs.
func RoleRows() []RowDoc { return docs(roleRows()) }

// Guards of the role rows.

func isOurTerm(c *roleStep) bool { return c.in.Term == c.s.Term }
func resignDue(c *roleStep) bool {
	return c.s.ResignAfter > 0 && !c.s.Resigning && c.s.Failures+1 >= c.s.ResignAfter
}
func finishing(c *roleStep) bool   { return c.s.Finishing }
func noActors(c *roleStep) bool    { return c.s.Actors <= 0 }
func hasWaiting(c *roleStep) bool  { return len(c.s.Waiting) > 0 }
func notDraining(c *roleStep) bool { return !c.s.Draining }
func noTerm(c *roleStep) bool      { return c.s.Term == RoleTerm{} }
func electionRunning(c *roleStep) bool {
	return !c.s.ElectionStopped && !c.s.ElectionGone
}
func electionGoneGuard(c *roleStep) bool { return c.s.ElectionGone }

// roleAll combines guards.
func roleAll(gs ...func(*roleStep) bool) func(*roleStep) bool {
	return func(c *roleStep) bool {
		for _, g := range gs {
			if !g(c) {
				return false
			}
		}
		return true
	}
}

// Actions of the role rows.

func roleIgnore(*roleStep) {}

func (c *roleStep) emit(kind RoleEffectKind) {
	c.effects = append(c.effects, RoleEffect{Kind: kind, Term: c.s.Term, Reason: c.s.Ending})
}

// roleEmit emits one effect.
func roleEmit(kind RoleEffectKind) func(*roleStep) {
	return func(c *roleStep) { c.emit(kind) }
}

// roleEmitTerm emits one effect about the input's term.
func roleEmitTerm(kind RoleEffectKind) func(*roleStep) {
	return func(c *roleStep) {
		c.effects = append(c.effects, RoleEffect{Kind: kind, Term: c.in.Term, Reason: c.in.Reason})
	}
}

// beginTerm reports the term and starts its actors, unless the role is
// ending: nothing new starts then.
func beginTerm(c *roleStep) {
	c.s.Term, c.s.Failures, c.s.Resigning, c.s.Ending = c.in.Term, 0, false, ""
	c.emit(RoleDoPromoted)
	if c.s.Finishing {
		c.s.Actors = 0
		return
	}
	c.s.Actors = c.in.Actors
	c.emit(RoleDoStartTermActors)
}

// endTerm cancels the term's context at once and stops its actors; the end
// is reported once they are gone.
func endTerm(c *roleStep) {
	c.s.Ending = c.in.Reason
	c.emit(RoleDoEndTermContext)
	c.emit(RoleDoStopTermActors)
}

// wait keeps an election event until the draining term is reported over.
func wait(c *roleStep) { c.s.Waiting = append(c.s.Waiting, c.in) }

// release applies the first event that waited, ahead of the others: if it
// has to wait again it goes back to the front.
func release(c *roleStep) {
	next, rest := c.s.Waiting[0], c.s.Waiting[1:]
	c.s.Waiting = nil
	c.apply(next)
	c.s.Waiting = append(c.s.Waiting, rest...)
}

func countActors(c *roleStep) { c.s.Actors = c.in.Actors }

func countFailure(c *roleStep) { c.s.Failures++ }

// resignTerm asks the election to resign once work keeps failing.
func resignTerm(c *roleStep) {
	c.s.Failures++
	c.s.Resigning = true
	c.emit(RoleDoResign)
}

// finishRole stops the election of a role with no term open.
func finishRole(c *roleStep) {
	c.s.Finishing = true
	stopElection(c)
}

// finishTerm stops the term's actors while the lease is still held; the
// election is stopped once they are gone.
func finishTerm(c *roleStep) {
	c.s.Finishing = true
	c.emit(RoleDoStopTermActors)
}

func markFinishing(c *roleStep) { c.s.Finishing = true }

// stopElection asks the election to end, once.
func stopElection(c *roleStep) {
	if c.s.ElectionStopped || c.s.ElectionGone {
		return
	}
	c.s.ElectionStopped = true
	c.emit(RoleDoStopElection)
}

// electionGone records that the election terminated.
func electionGone(c *roleStep) { c.s.ElectionGone = true }

// drainedThen reports the drained term over and runs the rest.
func drainedThen(rest ...func(*roleStep)) func(*roleStep) {
	return func(c *roleStep) {
		c.emit(RoleDoDemoted)
		c.s.Term, c.s.Ending = RoleTerm{}, ""
		for _, a := range rest {
			a(c)
		}
	}
}

// abortTerm reports the open term over now: the actor's children are about
// to be stopped by force, in no particular order.
func abortTerm(c *roleStep) {
	if c.s.Ending == "" {
		c.s.Ending = c.in.Reason
	}
	c.emit(RoleDoEndTermContext)
	c.emit(RoleDoDemoted)
	c.s.Term, c.s.Ending, c.s.Waiting = RoleTerm{}, "", nil
}

// drainCallbacks queues a marker behind the last callback.
func drainCallbacks(c *roleStep) {
	c.s.Draining = true
	c.emit(RoleDoDrainCallbacks)
}
