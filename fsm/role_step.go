package fsm

import (
	"fmt"
	"slices"
	"sync"
)

// roleRow is one decision of the role lifecycle, like row for elections.
type roleRow struct {
	on    []State
	input RoleInputKind
	when  string
	guard func(s *RoleState, in RoleInput) bool
	event Event
	do    func(c *roleStep)
}

// roleAfterEveryInput is the pseudo-input of rows tried after every input.
const roleAfterEveryInput RoleInputKind = 0

// roleStep is one application of RoleStep.
type roleStep struct {
	s       RoleState
	in      RoleInput
	effects []RoleEffect
}

var (
	roleOnce  sync.Once
	roleMoves map[pair]State
	roleTable []roleRow
)

// loadRoleRows validates the rows against the role table once: every row's
// event must be a move the table allows from each of its phases.
func loadRoleRows() {
	roleOnce.Do(func() {
		t := RoleLifecycle()
		if _, err := NewMachine(t); err != nil {
			panic(err)
		}
		roleMoves = map[pair]State{}
		for _, r := range t.Rules {
			if r.Outcome == Move {
				roleMoves[pair{r.From, r.Event}] = r.To
			}
		}
		roleTable = roleRows()
		for i, r := range roleTable {
			for _, ph := range r.on {
				if _, ok := roleMoves[pair{ph, r.event}]; r.event != "" && !ok {
					panic(fmt.Sprintf("%v: role row %d fires %q in %q, which the table does not move", ErrInvalidTable, i, r.event, ph))
				}
			}
		}
	})
}

// RoleStep is the decision core of a role: given its state and one input,
// it returns the next state and the effects to carry out, in order. Inputs a
// phase has no row for change nothing.
func RoleStep(s RoleState, in RoleInput) (RoleState, []RoleEffect) {
	loadRoleRows()
	c := &roleStep{s: s, in: in}
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

// apply runs the first matching row for in and reports whether one did.
func (c *roleStep) apply(in RoleInput) bool {
	for i := range roleTable {
		r := &roleTable[i]
		if r.input != in.Kind || !slices.Contains(r.on, c.s.Phase) || (r.guard != nil && !r.guard(&c.s, in)) {
			continue
		}
		prev := c.in
		c.in = in
		if r.event != "" {
			c.s.Phase = roleMoves[pair{c.s.Phase, r.event}]
		}
		r.do(c)
		c.in = prev
		return true
	}
	return false
}

// RoleRows describes the role lifecycle's rows for the generated docs.
func RoleRows() []RowDoc {
	rows := roleRows()
	out := make([]RowDoc, 0, len(rows))
	names := [...]string{"(after every input)", "start", "promoted", "demoted", "actor_gone", "work_failed", "finish", "election_gone", "callbacks_drained", "abort"}
	for _, r := range rows {
		out = append(out, RowDoc{Phases: slices.Clone(r.on), Input: names[r.input], When: r.when, Event: r.event})
	}
	return out
}

// Guards of the role rows.

func isOurTerm(s *RoleState, in RoleInput) bool { return in.Term == s.Term }
func resignDue(s *RoleState, _ RoleInput) bool {
	return s.ResignAfter > 0 && !s.Resigning && s.Failures+1 >= s.ResignAfter
}
func finishing(s *RoleState, _ RoleInput) bool   { return s.Finishing }
func noActors(s *RoleState, _ RoleInput) bool    { return s.Actors <= 0 }
func hasWaiting(s *RoleState, _ RoleInput) bool  { return len(s.Waiting) > 0 }
func notDraining(s *RoleState, _ RoleInput) bool { return !s.Draining }
func noTerm(s *RoleState, _ RoleInput) bool      { return s.Term == RoleTerm{} }
func electionRunning(s *RoleState, _ RoleInput) bool {
	return !s.ElectionStopped && !s.ElectionGone
}
func electionGoneGuard(s *RoleState, _ RoleInput) bool { return s.ElectionGone }

// roleAll combines guards.
func roleAll(gs ...func(*RoleState, RoleInput) bool) func(*RoleState, RoleInput) bool {
	return func(s *RoleState, in RoleInput) bool {
		for _, g := range gs {
			if !g(s, in) {
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
