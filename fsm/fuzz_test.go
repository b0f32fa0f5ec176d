package fsm_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/batonhq/baton/fsm"
)

// FuzzMachine fires the events named by each input byte; a byte past the end
// of the event list fires an event the table does not know.
func FuzzMachine(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 11, 3, 12, 0})
	f.Add([]byte{1, 3, 0, 6, 4, 0, 9, 12, 0, 13})
	f.Add([]byte{0, 2, 5, 7, 8, 10, 255})
	f.Fuzz(func(t *testing.T, seq []byte) {
		tab := fsm.Election()
		m, err := fsm.NewMachine(tab)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range seq {
			ev := fsm.Event("unknown")
			if int(b) < len(tab.Events) {
				ev = tab.Events[b]
			}
			from := m.Current()
			tr, err := m.Fire(ev)
			now := m.Current()
			if !slices.Contains(tab.States, now) {
				t.Fatalf("step %d: Fire(%s) from %s left state %q, not in the table", i, ev, from, now)
			}
			if from == fsm.StateStopped && now != fsm.StateStopped {
				t.Fatalf("step %d: Fire(%s) left stopped for %s", i, ev, now)
			}
			if err != nil {
				if !errors.Is(err, fsm.ErrRefused) {
					t.Fatalf("step %d: Fire(%s) from %s: unexpected error %v", i, ev, from, err)
				}
				if now != from {
					t.Fatalf("step %d: refused Fire(%s) moved %s to %s", i, ev, from, now)
				}
				continue
			}
			if tr.From != from || tr.To != now || tr.Changed != (from != now) {
				t.Fatalf("step %d: Fire(%s) from %s returned %+v, machine is in %s", i, ev, from, tr, now)
			}
		}
	})
}
