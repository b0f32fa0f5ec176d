package fsm_test

import (
	"errors"
	"testing"

	"github.com/batonhq/baton/fsm"
)

// want is the expected handling of one (state, event) pair.
type want struct {
	outcome fsm.Outcome
	to      fsm.State // only for fsm.Move
}

var (
	st, f, c, l = fsm.StateStarting, fsm.StateFollower, fsm.StateCandidate, fsm.StateLeader
	x, s        = fsm.StateStopping, fsm.StateStopped
	refuse      = want{outcome: fsm.Refuse}
)

func moveTo(to fsm.State) want { return want{outcome: fsm.Move, to: to} }

// electionMoves is the election table's moves written out by hand,
// independently of fsm.Election, so that a change to either one fails this
// test. Every pair not listed here must be refused.
var electionMoves = map[fsm.State]map[fsm.Event]want{
	st: {fsm.EvReady: moveTo(f), fsm.EvFailed: moveTo(s), fsm.EvStop: moveTo(x)},
	f:  {fsm.EvCampaign: moveTo(c), fsm.EvStop: moveTo(x)},
	c: {
		fsm.EvAcquired: moveTo(l), fsm.EvLostRace: moveTo(f), fsm.EvLeaderObserved: moveTo(f),
		fsm.EvBreakerOpen: moveTo(f), fsm.EvUnhealthy: moveTo(f), fsm.EvChildFailed: moveTo(f),
		fsm.EvStop: moveTo(x),
	},
	l: {
		fsm.EvUnhealthy: moveTo(f), fsm.EvChildFailed: moveTo(f), fsm.EvRenewConflict: moveTo(f),
		fsm.EvLeaseMoved: moveTo(f), fsm.EvReconnectRefuted: moveTo(f), fsm.EvRenewDeadline: moveTo(f),
		fsm.EvDisconnected: moveTo(f), fsm.EvResign: moveTo(f), fsm.EvHandOff: moveTo(f), fsm.EvStop: moveTo(x),
	},
	x: {fsm.EvStopped: moveTo(s)},
	s: {},
}

// electionMatrix is every (state, event) pair of the table: the moves above,
// refusals elsewhere.
func electionMatrix() map[fsm.State]map[fsm.Event]want {
	out := map[fsm.State]map[fsm.Event]want{}
	for _, from := range fsm.Election().States {
		out[from] = map[fsm.Event]want{}
		for _, ev := range fsm.Election().Events {
			w, ok := electionMoves[from][ev]
			if !ok {
				w = refuse
			}
			out[from][ev] = w
		}
	}
	return out
}

// pathTo lists the events that take a new election machine to each state.
var pathTo = map[fsm.State][]fsm.Event{
	st: nil,
	f:  {fsm.EvReady},
	c:  {fsm.EvReady, fsm.EvCampaign},
	l:  {fsm.EvReady, fsm.EvCampaign, fsm.EvAcquired},
	x:  {fsm.EvStop},
	s:  {fsm.EvStop, fsm.EvStopped},
}

// electionIn returns an election machine driven from the initial state to st.
func electionIn(t *testing.T, st fsm.State) *fsm.Machine {
	t.Helper()
	m, err := fsm.NewMachine(fsm.Election())
	if err != nil {
		t.Fatalf("NewMachine(Election()): %v", err)
	}
	path, ok := pathTo[st]
	if !ok {
		t.Fatalf("no path to state %q", st)
	}
	for _, ev := range path {
		if _, err := m.Fire(ev); err != nil {
			t.Fatalf("reaching %q: Fire(%q) in %q: %v", st, ev, m.Current(), err)
		}
	}
	if m.Current() != st {
		t.Fatalf("path %v reached %q, want %q", path, m.Current(), st)
	}
	return m
}

func TestElectionMatrixCoversTable(t *testing.T) {
	tab := fsm.Election()
	if len(electionMoves) != len(tab.States) {
		t.Fatalf("matrix has %d states, table has %d", len(electionMoves), len(tab.States))
	}
	for _, from := range tab.States {
		if _, ok := electionMoves[from]; !ok {
			t.Fatalf("matrix has no row for state %q", from)
		}
	}
	if tab.Initial != st {
		t.Errorf("initial state = %q, want %q", tab.Initial, st)
	}
}

func TestElectionEveryPair(t *testing.T) {
	for from, row := range electionMatrix() {
		for ev, w := range row {
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				m := electionIn(t, from)
				rule, ok := m.Table().Lookup(from, ev)
				if !ok || rule.Outcome != w.outcome {
					t.Fatalf("Lookup(%s, %s) = %+v, %v; want outcome %s", from, ev, rule, ok, w.outcome)
				}
				if rule.Why == "" {
					t.Errorf("rule (%s, %s) has no Why", from, ev)
				}
				if got, wantCan := m.Can(ev), w.outcome != fsm.Refuse; got != wantCan {
					t.Errorf("Can(%s) in %s = %v, want %v", ev, from, got, wantCan)
				}
				tr, err := m.Fire(ev)
				switch w.outcome {
				case fsm.Move:
					if err != nil {
						t.Fatalf("Fire(%s) in %s: %v", ev, from, err)
					}
					wantTr := fsm.Transition{From: from, To: w.to, Event: ev, Changed: true}
					if tr != wantTr {
						t.Errorf("Fire(%s) in %s = %+v, want %+v", ev, from, tr, wantTr)
					}
				case fsm.Stay:
					if err != nil {
						t.Fatalf("Fire(%s) in %s: %v", ev, from, err)
					}
					wantTr := fsm.Transition{From: from, To: from, Event: ev}
					if tr != wantTr {
						t.Errorf("Fire(%s) in %s = %+v, want %+v", ev, from, tr, wantTr)
					}
				case fsm.Refuse:
					if !errors.Is(err, fsm.ErrRefused) {
						t.Fatalf("Fire(%s) in %s: error %v, want ErrRefused", ev, from, err)
					}
				}
				wantState := from
				if w.outcome == fsm.Move {
					wantState = w.to
				}
				if m.Current() != wantState {
					t.Errorf("after Fire(%s) in %s: Current() = %q, want %q", ev, from, m.Current(), wantState)
				}
			})
		}
	}
}

func TestElectionReturnsFreshCopy(t *testing.T) {
	a := fsm.Election()
	a.States[0] = "changed"
	a.Events[0] = "changed"
	a.Rules[0].To = "changed"
	b := fsm.Election()
	if err := b.Validate(); err != nil {
		t.Fatalf("Election() after changing an earlier copy: %v", err)
	}
	if b.States[0] == "changed" || b.Events[0] == "changed" || b.Rules[0].To == "changed" {
		t.Fatal("Election() shares slices between calls")
	}
}
