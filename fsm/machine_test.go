package fsm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/batonhq/baton/fsm"
)

func TestFireRefusedLeavesStateUnchanged(t *testing.T) {
	m := electionIn(t, f)
	tr, err := m.Fire(fsm.EvResign)
	if !errors.Is(err, fsm.ErrRefused) {
		t.Fatalf("Fire(resign) in follower: error %v, want ErrRefused", err)
	}
	for _, part := range []string{`"resign"`, `"follower"`, "no row of the decision core fires"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %s", err, part)
		}
	}
	if m.Current() != f {
		t.Errorf("Current() = %q after a refused event, want %q", m.Current(), f)
	}
	if want := (fsm.Transition{From: f, To: f, Event: fsm.EvResign}); tr != want {
		t.Errorf("Fire returned %+v, want %+v", tr, want)
	}
}

func TestFireUnknownEventIsRefused(t *testing.T) {
	m := electionIn(t, l)
	if m.Can("pause") {
		t.Error(`Can("pause") = true for an event the table does not know`)
	}
	_, err := m.Fire("pause")
	if !errors.Is(err, fsm.ErrRefused) {
		t.Fatalf(`Fire("pause"): error %v, want ErrRefused`, err)
	}
	if !strings.Contains(err.Error(), `"pause"`) || !strings.Contains(err.Error(), `"leader"`) {
		t.Errorf("error %q does not name the event and the state", err)
	}
	if m.Current() != l {
		t.Errorf("Current() = %q after an unknown event, want %q", m.Current(), l)
	}
}

func TestNewMachineStartsInInitial(t *testing.T) {
	m, err := fsm.NewMachine(fsm.Election())
	if err != nil {
		t.Fatal(err)
	}
	if m.Current() != fsm.StateStarting {
		t.Errorf("Current() = %q, want %q", m.Current(), fsm.StateStarting)
	}
}

func TestMachineOwnsItsTable(t *testing.T) {
	tab := fsm.Election()
	m, err := fsm.NewMachine(tab)
	if err != nil {
		t.Fatal(err)
	}
	tab.Rules[ruleIndex(t, tab, st, fsm.EvReady)].Outcome = fsm.Refuse
	got := m.Table()
	got.Rules[ruleIndex(t, got, c, fsm.EvStop)].To = f

	tr, err := m.Fire(fsm.EvReady)
	if err != nil || tr.To != f {
		t.Fatalf("Fire(ready) = %+v, %v after the caller changed its copy; want move to follower", tr, err)
	}
	if r, _ := m.Table().Lookup(c, fsm.EvStop); r.To != x {
		t.Errorf("Table() returned a slice shared with the machine: (candidate, stop) now goes to %q", r.To)
	}
}

func TestFreshMachineStartsAtTheInitialStateAndMovesAlone(t *testing.T) {
	first, err := fsm.NewMachine(fsm.Election())
	if err != nil {
		t.Fatalf("NewMachine: %v", err)
	}
	if _, err := first.Fire(fsm.EvReady); err != nil {
		t.Fatalf("Fire(ready): %v", err)
	}
	second := first.Fresh()
	if got := second.Current(); got != fsm.StateStarting {
		t.Fatalf("Fresh().Current() = %q, want %q", got, fsm.StateStarting)
	}
	if _, err := second.Fire(fsm.EvCampaign); !errors.Is(err, fsm.ErrRefused) {
		t.Fatalf("Fresh machine fired campaign from starting: err = %v, want ErrRefused", err)
	}
	if _, err := second.Fire(fsm.EvFailed); err != nil {
		t.Fatalf("Fire(failed) on the fresh machine: %v", err)
	}
	if first.Current() != fsm.StateFollower || second.Current() != fsm.StateStopped {
		t.Fatalf("machines share a state: first %q, second %q; want follower and stopped", first.Current(), second.Current())
	}
}
