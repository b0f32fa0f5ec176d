package fsm

import (
	"fmt"
	"slices"
)

// State is a state of a Table.
type State string

// Event is an input to a Table.
type Event string

// Outcome says how a Table handles one (state, event) pair.
type Outcome int

const (
	// Move changes the state to the rule's To.
	Move Outcome = iota + 1
	// Stay accepts the event and keeps the state: the event is expected there
	// but means nothing new (a late reply, a hint that is already known).
	Stay
	// Refuse rejects the event: the table says it cannot happen in this state,
	// so Fire returns an error wrapping ErrRefused and the state is unchanged.
	Refuse
)

// String returns the lower-case name used in errors and documentation.
func (o Outcome) String() string {
	switch o {
	case Move:
		return "move"
	case Stay:
		return "stay"
	case Refuse:
		return "refuse"
	default:
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
}

// Rule decides one (state, event) pair.
type Rule struct {
	// From is the state the rule applies in.
	From State
	// Event is the event the rule applies to.
	Event Event
	// Outcome is how the pair is handled.
	Outcome Outcome
	// To is the next state; set only for Move (empty or equal to From otherwise).
	To State
	// Why is a one-line reason, shown in errors and in the generated docs.
	Why string
}

// Table is a complete state machine: every (state, event) pair has exactly one
// Rule. A Table is a plain value; build a Machine from it to run it.
type Table struct {
	// Name identifies the table in errors and diagrams.
	Name string
	// Initial is the state a new Machine starts in.
	Initial State
	// States lists every state, in the order used by the diagram.
	States []State
	// Events lists every event, in the order used by the diagram.
	Events []Event
	// Rules holds one rule per (state, event) pair.
	Rules []Rule
}

// pair is a (state, event) key.
type pair struct {
	from State
	ev   Event
}

// Validate reports the first problem found, wrapped in ErrInvalidTable: an
// empty or duplicate state or event, an unknown initial state, a rule naming
// an unknown state or event, a rule with an unknown outcome, a Move without a
// known target different from From, a Stay or Refuse with a target elsewhere,
// and a (state, event) pair with no rule or more than one.
func (t Table) Validate() error {
	if len(t.States) == 0 {
		return t.invalid("no states")
	}
	if len(t.Events) == 0 {
		return t.invalid("no events")
	}
	states := make(map[State]bool, len(t.States))
	for _, s := range t.States {
		if s == "" {
			return t.invalid("empty state name")
		}
		if states[s] {
			return t.invalid("state %q listed twice", s)
		}
		states[s] = true
	}
	events := make(map[Event]bool, len(t.Events))
	for _, e := range t.Events {
		if e == "" {
			return t.invalid("empty event name")
		}
		if events[e] {
			return t.invalid("event %q listed twice", e)
		}
		events[e] = true
	}
	if !states[t.Initial] {
		return t.invalid("initial state %q is not in States", t.Initial)
	}
	seen := make(map[pair]bool, len(t.Rules))
	for _, r := range t.Rules {
		if err := t.checkRule(r, states, events); err != nil {
			return err
		}
		p := pair{r.From, r.Event}
		if seen[p] {
			return t.invalid("pair (%s, %s) has more than one rule", r.From, r.Event)
		}
		seen[p] = true
	}
	for _, s := range t.States {
		for _, e := range t.Events {
			if !seen[pair{s, e}] {
				return t.invalid("pair (%s, %s) has no rule", s, e)
			}
		}
	}
	return nil
}

// checkRule validates one rule on its own, without regard to the others.
func (t Table) checkRule(r Rule, states map[State]bool, events map[Event]bool) error {
	if !states[r.From] {
		return t.invalid("pair (%s, %s): unknown state %q", r.From, r.Event, r.From)
	}
	if !events[r.Event] {
		return t.invalid("pair (%s, %s): unknown event %q", r.From, r.Event, r.Event)
	}
	switch r.Outcome {
	case Move:
		if r.To == "" {
			return t.invalid("pair (%s, %s): move without a target state", r.From, r.Event)
		}
		if r.To == r.From {
			return t.invalid("pair (%s, %s): move to the same state; use stay", r.From, r.Event)
		}
		if !states[r.To] {
			return t.invalid("pair (%s, %s): move to unknown state %q", r.From, r.Event, r.To)
		}
	case Stay, Refuse:
		if r.To != "" && r.To != r.From {
			return t.invalid("pair (%s, %s): %s with target %q; only move changes state", r.From, r.Event, r.Outcome, r.To)
		}
	default:
		return t.invalid("pair (%s, %s): unknown outcome %s", r.From, r.Event, r.Outcome)
	}
	return nil
}

// invalid builds an error wrapping ErrInvalidTable that names the table.
func (t Table) invalid(format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidTable, t.Name, fmt.Sprintf(format, args...))
}

// Lookup returns the rule for (from, ev). The second result is false when the
// table has no such rule, which a validated table only allows for a state or
// event it does not list.
func (t Table) Lookup(from State, ev Event) (Rule, bool) {
	for _, r := range t.Rules {
		if r.From == from && r.Event == ev {
			return r, true
		}
	}
	return Rule{}, false
}

// clone returns a copy that shares no slices with t, so a Machine's table
// cannot be changed through a value its caller still holds.
func (t Table) clone() Table {
	t.States = slices.Clone(t.States)
	t.Events = slices.Clone(t.Events)
	t.Rules = slices.Clone(t.Rules)
	return t
}
