package fsm

import (
	"context"
	"fmt"

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

// Machine runs a validated Table. The current state is held by a looplab FSM
// built from the table's Move rules; Stay and Refuse are decided from the table
// before looplab is asked, so looplab only ever sees real state changes.
//
// A Machine is not safe for concurrent use: it belongs to one goroutine (the
// actor that owns the election). looplab's internal locks keep its own fields
// consistent but do not make a Fire/Current sequence atomic.
type Machine struct {
	table Table
	rules map[pair]Rule
	fsm   *looplab.FSM
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
		table: t,
		rules: rules,
		fsm:   looplab.NewFSM(string(t.Initial), movesOf(t), nil),
	}, nil
}

// Current returns the current state.
func (m *Machine) Current() State {
	return State(m.fsm.Current())
}

// Can reports whether Fire(ev) would succeed now, that is whether the table
// moves or stays on ev in the current state.
func (m *Machine) Can(ev Event) bool {
	r, ok := m.rules[pair{m.Current(), ev}]
	return ok && (r.Outcome == Move || r.Outcome == Stay)
}

// Fire applies ev to the current state. A Move changes the state and returns
// Changed=true; a Stay returns Changed=false and a nil error. A refused or
// unknown event returns an error wrapping ErrRefused, with the state unchanged
// and the returned Transition holding the current state in From and To.
func (m *Machine) Fire(ev Event) (Transition, error) {
	from := m.Current()
	tr := Transition{From: from, To: from, Event: ev}
	r, ok := m.rules[pair{from, ev}]
	if !ok {
		return tr, fmt.Errorf("%w: %s: event %q in state %q: unknown event", ErrRefused, m.table.Name, ev, from)
	}
	switch r.Outcome {
	case Move:
		// Context cancellation only matters for looplab callbacks, and there are none.
		if err := m.fsm.Event(context.Background(), string(ev)); err != nil {
			return tr, fmt.Errorf("fsm: %s: event %q in state %q: the move rule to %q was not applied: %w", m.table.Name, ev, from, r.To, err)
		}
		tr.To = m.Current()
		tr.Changed = true
		return tr, nil
	case Stay:
		return tr, nil
	default:
		return tr, fmt.Errorf("%w: %s: event %q in state %q: %s", ErrRefused, m.table.Name, ev, from, r.Why)
	}
}

// Table returns a copy of the table the Machine runs.
func (m *Machine) Table() Table {
	return m.table.clone()
}
