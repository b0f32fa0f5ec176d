package sim_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/sim"
)

// TestExpiryMarkerErasesAWriteInFlight pins the server's behaviour the
// model reproduces (docs/design.md, "What proves a lease"): a write expecting a
// value whose expiry is decided but whose marker is not yet stored
// succeeds, so does a second write expecting the first, and the limit
// marker then replaces both; a marker's own expiry removes only the
// marker.
func TestExpiryMarkerErasesAWriteInFlight(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	st := sim.NewStore[string](t0)
	v, err := st.Create("role", "v", time.Second, t0)
	if err != nil {
		t.Fatal(err)
	}
	expiry := t0.Add(time.Second)
	if decided := st.Sweep(expiry); len(decided) != 1 || decided[0] != "role" {
		t.Fatalf("Sweep at the TTL decided %v, want the role's marker", decided)
	}
	if at, ok := st.NextSweep(expiry); ok {
		t.Fatalf("a sweep at %v has work while the marker is on its way", at)
	}
	w, err := st.Update("role", "w", v.Revision, time.Minute, expiry.Add(10*time.Millisecond))
	if err != nil {
		t.Fatalf("a write expecting the expired value before its marker applied: %v", err)
	}
	w2, err := st.Update("role", "w2", w.Revision, time.Minute, expiry.Add(15*time.Millisecond))
	if err != nil {
		t.Fatalf("a write expecting that write, before the marker applied: %v", err)
	}
	m, erased := st.Mark("role", expiry.Add(20*time.Millisecond))
	if !erased || m.Kind != sim.Purged || m.Revision <= w2.Revision {
		t.Fatalf("Mark: %+v erased=%v, want a limit marker after revision %d that erased it", m, erased, w2.Revision)
	}
	if _, err := st.Update("role", "x", w2.Revision, time.Minute, expiry.Add(30*time.Millisecond)); err == nil {
		t.Fatal("a write expecting an erased write succeeded")
	}
	if decided := st.Sweep(m.Expires); len(decided) != 0 {
		t.Fatalf("the marker's expiry decided %v, want no new marker", decided)
	}
	if e := st.Get("role"); e.Kind != sim.Absent {
		t.Fatalf("after the marker expired the key is %+v, want no message", e)
	}
}

// TestExpiryMarkerWithNothingInFlight is the ordinary expiry: the marker
// replaces the expired value itself, and erases nothing.
func TestExpiryMarkerWithNothingInFlight(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	st := sim.NewStore[string](t0)
	v, _ := st.Create("role", "v", time.Second, t0)
	st.Sweep(t0.Add(time.Second))
	if m, erased := st.Mark("role", t0.Add(time.Second)); erased || m.Revision != v.Revision+1 {
		t.Fatalf("Mark: %+v erased=%v, want the next revision, nothing erased", m, erased)
	}
}
