package fsm

import (
	"context"
	"fmt"
	"sync"

	looplab "github.com/looplab/fsm"
)

// Transition is the result of a successful Fire.
type Transition struct {
	// From is the state before the event.
	From State
	// To is the state after the event; equal to From when Changed is false.
	To State
	// Event is the event that was fired.
	Event Event
	// Changed is true for a Move and false for a Stay.
	Changed bool
}

// Machine runs a validated Table. Its moves are applied by a looplab FSM
// built from the table's Move rules; Stay and Refuse are decided from the
// table before looplab is asked, so looplab only ever sees real state
// changes.
//
// A Machine is not safe for concurrent use: it belongs to one goroutine (the
// actor that owns the election). The looplab FSM it shares with the
// Machines made by Fresh is applied under a lock of its own.
type Machine struct {
	// current is the state. Each move is applied by looplab, on an FSM that
	// every Machine of one table shares (see Fresh), set to current first.
	current State
	shared  *sharedTable
}

// sharedTable is what every Machine of one table shares: the validated
// table and its rules by (state, event), which nothing changes, and one
// looplab FSM of the table's moves, which the machines apply their moves
// on one at a time. Each machine keeps only its state, not a looplab FSM of
// its own (about 2 KiB each) nor a copy of the table.
type sharedTable struct {
	table Table
	rules map[pair]Rule

	mu  sync.Mutex
	fsm *looplab.FSM
}

// move applies ev from state from on looplab and returns the state it
// moved to.
func (f *sharedTable) move(from State, ev Event) (State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fsm.SetState(string(from))
	// Context cancellation only matters for looplab callbacks, and there are none.
	if err := f.fsm.Event(context.Background(), string(ev)); err != nil {
		return from, err
	}
	return State(f.fsm.Current()), nil
}

// NewMachine validates t and returns a Machine in t.Initial. It keeps its own
// copy of t, so later changes to t's slices do not affect the Machine.
func NewMachine(t Table) (*Machine, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t = t.clone()
	rules := make(map[pair]Rule, len(t.Rules))
	for _, r := range t.Rules {
		rules[pair{r.From, r.Event}] = r
	}
	return &Machine{
		current: t.Initial,
		shared:  &sharedTable{table: t, rules: rules, fsm: looplab.NewFSM(string(t.Initial), movesOf(t), nil)},
	}, nil
}

// Current returns the current state.
func (m *Machine) Current() State {
	return m.current
}

// Can reports whether Fire(ev) would succeed now, that is whether the table
// moves or stays on ev in the current state.
func (m *Machine) Can(ev Event) bool {
	r, ok := m.shared.rules[pair{m.Current(), ev}]
	return ok && (r.Outcome == Move || r.Outcome == Stay)
}

// Fire applies ev to the current state. A Move changes the state and returns
// Changed=true; a Stay returns Changed=false and a nil error. A refused or
// unknown event returns an error wrapping ErrRefused, with the state unchanged
// and the returned Transition holding the current state in From and To.
func (m *Machine) Fire(ev Event) (Transition, error) {
	from := m.Current()
	tr := Transition{From: from, To: from, Event: ev}
	r, ok := m.shared.rules[pair{from, ev}]
	if !ok {
		return tr, fmt.Errorf("%w: %s: event %q in state %q: unknown event", ErrRefused, m.shared.table.Name, ev, from)
	}
	switch r.Outcome {
	case Move:
		to, err := m.shared.move(from, ev)
		if err != nil {
			return tr, fmt.Errorf("fsm: %s: event %q in state %q: the move rule to %q was not applied: %w", m.shared.table.Name, ev, from, r.To, err)
		}
		m.current = to
		tr.To = to
		tr.Changed = true
		return tr, nil
	case Stay:
		return tr, nil
	default:
		return tr, fmt.Errorf("%w: %s: event %q in state %q: %s", ErrRefused, m.shared.table.Name, ev, from, r.Why)
	}
}

// Table returns a copy of the table the Machine runs.
func (m *Machine) Table() Table {
	return m.shared.table.clone()
}
