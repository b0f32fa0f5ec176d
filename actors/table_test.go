package actors_test

import (
	"time"

	"github.com/batonhq/baton/fsm"
)

// wait bounds every expected message in these tests.
const wait = 2 * time.Second

const (
	idle fsm.State = "idle"
	busy fsm.State = "busy"
	done fsm.State = "done"

	start  fsm.Event = "start"
	finish fsm.Event = "finish"
)

// jobTable is a small table for tests: idle -start-> busy -finish-> done.
func jobTable() fsm.Table {
	return fsm.Table{
		Name:    "job",
		Initial: idle,
		States:  []fsm.State{idle, busy, done},
		Events:  []fsm.Event{start, finish},
		Rules: []fsm.Rule{
			{From: idle, Event: start, Outcome: fsm.Move, To: busy, Why: "work begins"},
			{From: idle, Event: finish, Outcome: fsm.Refuse, Why: "nothing to finish"},
			{From: busy, Event: start, Outcome: fsm.Stay, Why: "already working"},
			{From: busy, Event: finish, Outcome: fsm.Move, To: done, Why: "work ends"},
			{From: done, Event: start, Outcome: fsm.Refuse, Why: "a job runs once"},
			{From: done, Event: finish, Outcome: fsm.Stay, Why: "already done"},
		},
	}
}
