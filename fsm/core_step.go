package fsm

import (
	"fmt"
	"slices"
	"sync"
)

// row is one decision of the core: in one of the phases on, for input, when
// guard holds, fire event (a move in the election table, or "" to keep the
// phase) and carry out do. reason is set on rows that end a term.
type row struct {
	on     []State
	input  InputKind
	when   string // the guard, in words, for the generated docs
	guard  guard
	event  Event
	reason Reason
	do     action
}

// guard decides whether a row applies.
type guard func(s *ElectionState, in Input, t Timing) bool

// action carries out a row: it changes the state and appends effects.
type action func(c *step)

// afterEveryInput is the pseudo-input of rows tried after every input.
const afterEveryInput InputKind = 0

// step is one application of Step: the state being built, the input, the
// timing, the row that applies and the effects so far.
type step struct {
	s       ElectionState
	in      Input
	t       Timing
	row     *row
	effects []Effect
}

// core is the validated rows and table, built once.
type core struct {
	rows  []row
	moves map[pair]State
}

var (
	coreOnce  sync.Once
	coreRules *core
	coreErr   error
)

// loadCore validates the rows against the election table once.
func loadCore() (*core, error) {
	coreOnce.Do(func() { coreRules, coreErr = newCore(Election(), electionRows()) })
	return coreRules, coreErr
}

// newCore checks that every row fires only moves the table allows (through
// a looplab machine built from it) and that every (phase, input) pair ends
// with a row that always applies.
func newCore(t Table, rows []row) (*core, error) {
	if _, err := NewMachine(t); err != nil {
		return nil, err
	}
	moves := map[pair]State{}
	for _, r := range t.Rules {
		if r.Outcome == Move {
			moves[pair{r.From, r.Event}] = r.To
		}
	}
	for i, r := range rows {
		if r.do == nil {
			return nil, fmt.Errorf("%w: row %d (%s): no action", ErrInvalidTable, i, r.input)
		}
		for _, ph := range r.on {
			if r.event == "" {
				continue
			}
			if _, ok := moves[pair{ph, r.event}]; !ok {
				return nil, fmt.Errorf("%w: row %d fires %q in %q, which the table does not move", ErrInvalidTable, i, r.event, ph)
			}
		}
	}
	for _, ph := range t.States {
		for k := InStart; k <= lastInput; k++ {
			total := slices.ContainsFunc(rows, func(r row) bool {
				return r.input == k && r.guard == nil && slices.Contains(r.on, ph)
			})
			if !total {
				return nil, fmt.Errorf("%w: no unguarded row for input %s in phase %s", ErrInvalidTable, k, ph)
			}
		}
	}
	return &core{rows: rows, moves: moves}, nil
}

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
	k, err := loadCore()
	if err != nil {
		// The rows are fixed at compile time and checked by every test.
		panic(err)
	}
	c := &step{s: s, in: in, t: t}
	applied := [2]int{k.apply(c, in.Kind), k.apply(c, afterEveryInput)}
	return c.s, c.effects, applied
}

// apply runs the first matching row for kind and returns its index, or -1
// when none matches.
func (k *core) apply(c *step, kind InputKind) int {
	for i := range k.rows {
		r := &k.rows[i]
		if r.input != kind || !slices.Contains(r.on, c.s.Phase) {
			continue
		}
		if r.guard != nil && !r.guard(&c.s, c.in, c.t) {
			continue
		}
		c.row = r
		if r.event != "" {
			from := c.s.Phase
			to := k.moves[pair{from, r.event}]
			c.s.Phase, c.s.Since = to, c.in.At
			c.s.Transitions++
			c.emit(Effect{Kind: DoMoved, From: from, To: to, Event: r.event, Reason: r.reason})
		}
		r.do(c)
		return i
	}
	return -1
}

// emit appends an effect.
func (c *step) emit(e Effect) { c.effects = append(c.effects, e) }

// in returns its arguments: it keeps the phase lists of the rows short.
func in(phases ...State) []State { return phases }

// RowDoc describes one row for the generated documentation.
type RowDoc struct {
	Phases []State
	Input  string
	When   string
	Event  Event
	Reason Reason
}

// Rows describes the decision core's rows, in the order they are tried.
func Rows() []RowDoc {
	rows := electionRows()
	out := make([]RowDoc, 0, len(rows))
	for _, r := range rows {
		name := r.input.String()
		if r.input == afterEveryInput {
			name = "(after every input)"
		}
		out = append(out, RowDoc{Phases: slices.Clone(r.on), Input: name, When: r.when, Event: r.event, Reason: r.reason})
	}
	return out
}
