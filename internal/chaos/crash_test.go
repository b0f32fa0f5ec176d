package chaos

import (
	"testing"
	"time"
)

// The crash's effect check must fail when the crash did not do what its
// sync setting says: lose acknowledged writes at the default interval,
// keep them all with sync always.
func TestCrashEffect(t *testing.T) {
	killed := []bool{true, true, true}
	check := func(c crash, why string) {
		t.Helper()
		wantEffect(t, c.effect(), ledger{}, at(6000), why)
	}
	// The stream's sequence after the restart says nothing either way:
	// candidates and expiry markers raise it past the probe's.
	check(crash{loses: true, killed: killed, ackedSeq: 12, restoredTo: 30}, "")
	check(crash{loses: true, killed: killed, ackedSeq: 12, kept: true, restoredTo: 30}, "nothing was lost")
	check(crash{killed: killed, ackedSeq: 12, kept: true, restoredTo: 12}, "")
	check(crash{killed: killed, ackedSeq: 12, restoredTo: 30}, "acknowledged writes lost")
	check(crash{killed: []bool{true, false, true}, ackedSeq: 12, kept: true, restoredTo: 12}, "not every node died of SIGKILL")
}

// TestOneHolderAcrossLoss: a revision held by two tokens is a violation,
// unless a crash that lost acknowledged writes came between them; a token
// held by two candidates is a violation either way.
func TestOneHolderAcrossLoss(t *testing.T) {
	before, after := token(6, "aaaa", "c1"), token(6, "bbbb", "c2")
	var l ledgerBuilder
	l.write(100, "c1", before, true).write(3000, "c2", after, false)
	if v, _ := checkOneHolder(l.led); len(v) != 1 {
		t.Fatalf("revision reused without a loss: %v, want one violation", v)
	}
	l.led.losses = []time.Time{at(2000)}
	v, reused := checkOneHolder(l.led)
	if len(v) != 0 || len(reused) != 1 {
		t.Fatalf("revision reused across a loss: violations %v, reused %v; want none and one", v, reused)
	}
	l.write(3100, "c3", after, false)
	if v, _ := checkOneHolder(l.led); len(v) == 0 {
		t.Fatal("token of c2 used by c3: no violation")
	}
}

// TestFencingReplayHonoursResets: after the resource's record was reset, a
// lower revision is accepted, and the replay agrees.
func TestFencingReplayHonoursResets(t *testing.T) {
	var l ledgerBuilder
	l.write(0, "c1", token(9, "a", "c1"), true).write(100, "c2", token(6, "b", "c2"), true)
	if v := checkFencing(l.led.writes, nil); len(v) != 1 {
		t.Fatalf("lower revision accepted without a reset: %v, want one violation", v)
	}
	if v := checkFencing(l.led.writes, []int{1}); len(v) != 0 {
		t.Fatalf("lower revision accepted after a reset: %v, want none", v)
	}
}
