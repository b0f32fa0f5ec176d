package fsm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/batonhq/baton/fsm"
)

// ruleIndex returns the index of the election rule for (from, ev).
func ruleIndex(t *testing.T, tab fsm.Table, from fsm.State, ev fsm.Event) int {
	t.Helper()
	i := slices.IndexFunc(tab.Rules, func(r fsm.Rule) bool { return r.From == from && r.Event == ev })
	if i < 0 {
		t.Fatalf("election table has no rule (%s, %s)", from, ev)
	}
	return i
}

func TestElectionTableIsValid(t *testing.T) {
	if err := fsm.Election().Validate(); err != nil {
		t.Fatalf("Election().Validate() = %v", err)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(t *testing.T, tab *fsm.Table)
		mentions []string
	}{
		{
			name: "missing pair",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules = slices.Delete(tab.Rules, ruleIndex(t, *tab, f, fsm.EvAcquired), ruleIndex(t, *tab, f, fsm.EvAcquired)+1)
			},
			mentions: []string{"(follower, acquired)", "no rule"},
		},
		{
			name: "duplicate pair",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules = append(tab.Rules, fsm.Rule{From: l, Event: fsm.EvResign, Outcome: fsm.Stay})
			},
			mentions: []string{"(leader, resign)", "more than one rule"},
		},
		{
			name: "unknown state",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules = append(tab.Rules, fsm.Rule{From: "paused", Event: fsm.EvStop, Outcome: fsm.Stay})
			},
			mentions: []string{"(paused, stop)", `unknown state "paused"`},
		},
		{
			name: "unknown event",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules = append(tab.Rules, fsm.Rule{From: c, Event: "pause", Outcome: fsm.Stay})
			},
			mentions: []string{"(candidate, pause)", `unknown event "pause"`},
		},
		{
			name: "move without target",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules[ruleIndex(t, *tab, c, fsm.EvAcquired)].To = ""
			},
			mentions: []string{"(candidate, acquired)", "without a target"},
		},
		{
			name: "move to same state",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules[ruleIndex(t, *tab, c, fsm.EvAcquired)].To = c
			},
			mentions: []string{"(candidate, acquired)", "same state"},
		},
		{
			name: "move to unknown state",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules[ruleIndex(t, *tab, c, fsm.EvAcquired)].To = "king"
			},
			mentions: []string{"(candidate, acquired)", `unknown state "king"`},
		},
		{
			name: "stay with another target",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules[ruleIndex(t, *tab, s, fsm.EvStop)].To = c
			},
			mentions: []string{"(stopped, stop)", "refuse with target"},
		},
		{
			name: "unknown outcome",
			edit: func(t *testing.T, tab *fsm.Table) {
				tab.Rules[ruleIndex(t, *tab, s, fsm.EvStop)].Outcome = 0
			},
			mentions: []string{"(stopped, stop)", "unknown outcome"},
		},
		{
			name:     "unknown initial state",
			edit:     func(t *testing.T, tab *fsm.Table) { tab.Initial = "idle" },
			mentions: []string{`initial state "idle"`},
		},
		{
			name:     "duplicate state",
			edit:     func(t *testing.T, tab *fsm.Table) { tab.States = append(tab.States, l) },
			mentions: []string{`state "leader" listed twice`},
		},
		{
			name:     "duplicate event",
			edit:     func(t *testing.T, tab *fsm.Table) { tab.Events = append(tab.Events, fsm.EvStop) },
			mentions: []string{`event "stop" listed twice`},
		},
		{
			name:     "no states",
			edit:     func(t *testing.T, tab *fsm.Table) { tab.States = nil },
			mentions: []string{"no states"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := fsm.Election()
			tt.edit(t, &tab)
			err := tab.Validate()
			if !errors.Is(err, fsm.ErrInvalidTable) {
				t.Fatalf("Validate() = %v, want an error wrapping ErrInvalidTable", err)
			}
			for _, m := range append(tt.mentions, `"election"`) {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Validate() error %q does not mention %q", err, m)
				}
			}
			if _, err := fsm.NewMachine(tab); !errors.Is(err, fsm.ErrInvalidTable) {
				t.Errorf("NewMachine() error = %v, want ErrInvalidTable", err)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tab := fsm.Election()
	r, ok := tab.Lookup(c, fsm.EvAcquired)
	if !ok || r.Outcome != fsm.Move || r.To != l {
		t.Errorf("Lookup(candidate, acquired) = %+v, %v; want move to leader", r, ok)
	}
	if r, ok := tab.Lookup(c, "pause"); ok {
		t.Errorf("Lookup(candidate, pause) = %+v, true; want no rule", r)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[fsm.Outcome]string{fsm.Move: "move", fsm.Stay: "stay", fsm.Refuse: "refuse", 0: "Outcome(0)"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, want)
		}
	}
}
