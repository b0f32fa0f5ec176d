package fsm

import "sync"

// guard decides whether an election row applies.
type guard func(c *step) bool

// action carries out an election row: it changes the state and appends
// effects.
type action func(c *step)

// afterEveryInput is the pseudo-input of rows tried after every input.
const afterEveryInput InputKind = 0

// step is one application of Step: the state being built, the input, the
// timing, the reason of the row that applies and the effects so far.
type step struct {
	s       ElectionState
	in      Input
	t       Timing
	reason  Reason
	effects []Effect
	// rows is the engine applying the rows, for an action that settles
	// one input as another (settleReadBack).
	rows *engine[*step, InputKind]
}

// electionEngine checks the election rows against the election table once,
// when Step is first called.
var electionEngine = sync.OnceValues(func() (*engine[*step, InputKind], error) {
	return newEngine(Election(), electionRows(), lastInput)
})

// Step is the decision core of an election: given the state, the timing and
// one input, it returns the next state and the effects to carry out, in
// order. It reads no clock (time comes with the input), does no I/O and
// keeps no state of its own, so the same arguments always give the same
// result.
//
// It applies the first row that matches the phase and input and whose guard
// holds, then the rows tried after every input.
func Step(t Timing, s ElectionState, in Input) (ElectionState, []Effect) {
	next, effects, _ := stepRows(t, s, in)
	return next, effects
}

// stepRows is Step, also returning the indexes of the rows it applied.
func stepRows(t Timing, s ElectionState, in Input) (ElectionState, []Effect, [2]int) {
	k := loaded(electionEngine)
	c := steps.Get().(*step)
	*c = step{s: s, in: in, t: t, rows: k}
	c.catchUpSessionProof()
	applied := [2]int{k.apply(c, in.Kind), k.apply(c, afterEveryInput)}
	next, effects := c.s, c.effects
	*c = step{} // holds nothing of this step while pooled
	steps.Put(c)
	return next, effects, applied
}

// steps are the steps not in use. A step holds a whole state and input,
// and the rows' guards and actions take it by pointer, so it would be
// allocated for every input: at 1,000 elections of one role in a process,
// half of what stepping cost.
var steps = sync.Pool{New: func() any { return new(step) }}

// phase implements stepper.
func (c *step) phase() State { return c.s.Phase }

// enter implements stepper: a row that fires an event moves the phase and
// announces the move; the reason is kept for the Demoted its actions may
// announce.
func (c *step) enter(ev Event, to State, reason Reason) {
	c.reason = reason
	if ev == "" {
		return
	}
	from := c.s.Phase
	c.s.Phase, c.s.Since = to, c.in.At
	c.s.Transitions++
	c.emit(Effect{Kind: DoMoved, From: from, To: to, Event: ev, Reason: reason})
}

// emit appends an effect.
func (c *step) emit(e Effect) { c.effects = append(c.effects, e) }

// Rows describes the decision core's rows, in the order they are tried.
func Rows() []RowDoc { return docs(electionRows()) }
