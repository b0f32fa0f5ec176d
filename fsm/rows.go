package fsm

import "slices"

// The row engine. The election's decision core (core_rows.go) and the role
// lifecycle (role_rows.go) are both lists of rows, checked against their
// table by newEngine and applied by engine.apply: for the phase and the
// input, the first row whose guard holds applies. A row fires at most one
// event of its table, which says where the phase moves, and its action
// changes the state being built and appends effects. One engine for both
// means one meaning of a row, one check that the rows are total and one
// error, ErrInvalidTable, when they are not.

// inputKind is the kind of an engine's inputs. The kinds count from 1; the
// zero kind is the pseudo-input of the rows tried after every input, which
// need not be total: often none of them applies.
type inputKind interface {
	~uint8
	String() string
}

// stepper is one step being built, as the engine sees it. The step holds
// the state, the input and the effects; the engine only reads the phase and
// tells the step which row applies, so each table keeps its own state and
// effect types.
type stepper interface {
	// phase returns the phase the step is in now.
	phase() State
	// enter is told of the row that applies, before its action runs: the
	// event the row fires and the phase the table moves to on it (both
	// empty when the row keeps the phase), and the reason the row gives a
	// term it ends.
	enter(ev Event, to State, reason Reason)
}

// row is one decision: in one of the phases on, for input, when guard holds
// (a nil guard always holds), fire event (a move in the table, or "" to keep
// the phase) and carry out do. reason is set on election rows that end a
// term.
type row[C stepper, K inputKind] struct {
	on     []State
	input  K
	when   string // the guard, in words, for the generated docs
	guard  func(c C) bool
	event  Event
	reason Reason
	do     func(c C)
}

// engine is a list of rows checked against its table.
type engine[C stepper, K inputKind] struct {
	rows  []row[C, K]
	moves map[pair]State // (phase, event) -> next phase, for the table's Move rules
	// byKind lists, for each input kind, the indexes of its rows in order:
	// a step tries only the rows of its input, not all of them.
	byKind [][]int
}

// newEngine checks rows against t and returns the engine that applies them.
// The error wraps ErrInvalidTable and names the table: t fails Validate, a
// row has no action, names a phase t does not list or an input after last,
// or fires an event t does not move from one of its phases, or a phase of t
// and an input up to last have no row without a guard. That last check makes
// the rows total: whatever a machine receives, some row decides it, if only
// to change nothing.
func newEngine[C stepper, K inputKind](t Table, rows []row[C, K], last K) (*engine[C, K], error) {
	if err := t.Validate(); err != nil {
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
			return nil, t.invalid("row %d (%s): no action", i, r.input)
		}
		if r.input > last {
			return nil, t.invalid("row %d: unknown input %d", i, r.input)
		}
		for _, ph := range r.on {
			if !slices.Contains(t.States, ph) {
				return nil, t.invalid("row %d (%s) is on %q, which the table does not list", i, r.input, ph)
			}
			if _, ok := moves[pair{ph, r.event}]; r.event != "" && !ok {
				return nil, t.invalid("row %d fires %q in %q, which the table does not move", i, r.event, ph)
			}
		}
	}
	for _, ph := range t.States {
		for k := K(1); k <= last; k++ {
			total := slices.ContainsFunc(rows, func(r row[C, K]) bool {
				return r.input == k && r.guard == nil && slices.Contains(r.on, ph)
			})
			if !total {
				return nil, t.invalid("no row without a guard for input %s in phase %s", k, ph)
			}
		}
	}
	byKind := make([][]int, int(last)+1)
	for i, r := range rows {
		byKind[r.input] = append(byKind[r.input], i)
	}
	return &engine[C, K]{rows: rows, moves: moves, byKind: byKind}, nil
}

// loaded returns the engine load builds, or panics with load's error.
// Step and RoleStep have no error to return it through, and need none: their
// rows are constants of this package, which TestEnginesAreValid checks, so
// an error here is a bug in this package that no caller could handle.
func loaded[C stepper, K inputKind](load func() (*engine[C, K], error)) *engine[C, K] {
	e, err := load()
	if err != nil {
		panic(err)
	}
	return e
}

// apply runs on c the first row for kind that matches c's phase and whose
// guard holds, and returns its index, or -1 when none does.
func (e *engine[C, K]) apply(c C, kind K) int {
	if int(kind) >= len(e.byKind) {
		return -1
	}
	for _, i := range e.byKind[kind] {
		r := &e.rows[i]
		if !slices.Contains(r.on, c.phase()) || r.guard != nil && !r.guard(c) {
			continue
		}
		c.enter(r.event, e.moves[pair{c.phase(), r.event}], r.reason)
		r.do(c)
		return i
	}
	return -1
}

// in returns its arguments: it keeps the phase lists of the rows short.
func in(phases ...State) []State { return phases }

// RowDoc describes one row for the generated documentation.
type RowDoc struct {
	// Phases are the phases the row applies in.
	Phases []State
	// Input names the input the row decides, or "(after every input)".
	Input string
	// When is the row's guard in words; empty for a row that always applies.
	When string
	// Event is the table event the row fires; empty when it keeps the phase.
	Event Event
	// Reason is the reason the row gives a term it ends.
	Reason Reason
}

// docs describes rows in the order they are tried.
func docs[C stepper, K inputKind](rows []row[C, K]) []RowDoc {
	out := make([]RowDoc, 0, len(rows))
	for _, r := range rows {
		name := r.input.String()
		if r.input == 0 {
			name = "(after every input)"
		}
		out = append(out, RowDoc{Phases: slices.Clone(r.on), Input: name, When: r.when, Event: r.event, Reason: r.reason})
	}
	return out
}
