package fsm

import looplab "github.com/looplab/fsm"

// Fresh returns a new Machine in the table's initial state that shares m's
// validated table, rules and looplab FSM, which no Machine changes but
// through its moves: a process running many machines of one table pays for
// the table and its looplab FSM once, and for each machine only its state.
func (m *Machine) Fresh() *Machine {
	return &Machine{current: m.shared.table.Initial, shared: m.shared}
}

// movesOf is the looplab events of t's Move rules.
func movesOf(t Table) looplab.Events {
	var moves looplab.Events
	for _, r := range t.Rules {
		if r.Outcome == Move {
			moves = append(moves, looplab.EventDesc{Name: string(r.Event), Src: []string{string(r.From)}, Dst: string(r.To)})
		}
	}
	return moves
}
