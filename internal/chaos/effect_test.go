package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/leadership"
)

// The effect checks must fail when the fault changed nothing: these feed
// them records of a fault that did nothing, and of one that did.

func TestBlackholeEffect(t *testing.T) {
	old, next := token(1, "a", "c1"), token(6, "b", "c2")
	inj := &injection{victim: "c1", prev: old, start: at(0), healed: at(3000)}
	var nothing, real ledgerBuilder
	for ms := 0; ms <= 3000; ms += 100 {
		nothing.beacon(ms, "c1", &old).write(ms, "c1", old, true)
	}
	real.beacon(100, "c1", &old).write(100, "c1", old, true).
		beacon(1300, "c1", nil). // demoted itself
		beacon(2300, "c2", &next).write(2300, "c2", next, true)
	wantEffect(t, blackholeEffect(inj), nothing.led, at(4000), "never reported a demotion")
	wantEffect(t, blackholeEffect(inj), real.led, at(4000), "")

	var selfOnly ledgerBuilder // the victim won the next term itself: no takeover
	selfOnly.beacon(1300, "c1", nil).write(2300, "c1", token(6, "b", "c1"), true)
	wantEffect(t, blackholeEffect(inj), selfOnly.led, at(4000), "no other candidate took over")
}

func TestPauseEffect(t *testing.T) {
	old, next := token(1, "a", "c1"), token(6, "b", "c2")
	inj := &injection{victim: "c1", prev: old, start: at(0), healed: at(2500)}
	var real ledgerBuilder
	real.beacon(1500, "c1", &old) // sent just before the stop, arrived late
	real.led.beacons[0].SentAt = at(10)
	real.beacon(2000, "c2", &next).write(2000, "c2", next, true)
	real.write(2510, "c1", old, false) // the stale write after SIGCONT
	real.beacon(2600, "c1", nil)
	wantEffect(t, pauseEffect(inj), real.led, at(4000), "")

	var notStopped ledgerBuilder
	notStopped.beacon(1000, "c1", &old).write(2000, "c2", next, true).beacon(2600, "c1", nil)
	notStopped.led.beacons[0].SentAt = at(1000)
	wantEffect(t, pauseEffect(inj), notStopped.led, at(4000), "kept reporting")

	var unfenced ledgerBuilder // the frozen write never came, or was accepted
	unfenced.write(2000, "c2", next, true).beacon(2600, "c1", nil)
	wantEffect(t, pauseEffect(inj), unfenced.led, at(4000), "no stale write")

	var midWrite ledgerBuilder // stopped with its write in flight; once continued it saw the term over
	midWrite.write(20, "c1", old, true).write(2000, "c2", next, true).beacon(2600, "c1", nil)
	wantEffect(t, pauseEffect(inj), midWrite.led, at(4000), "")

	var midWriteStale ledgerBuilder // stopped mid-write, and its stale write after was accepted
	midWriteStale.write(20, "c1", old, true).write(2000, "c2", next, true).write(2510, "c1", old, true).beacon(2600, "c1", nil)
	wantEffect(t, pauseEffect(inj), midWriteStale.led, at(4000), "no stale write")

	short := &injection{victim: "c1", prev: old, start: at(0), healed: at(1500)}
	wantEffect(t, pauseEffect(short), real.led, at(4000), "not longer than the TTL")
}

func TestLatencyEffect(t *testing.T) {
	inj := &injection{start: at(0), healed: at(2000)}
	rtt := func(ms int, id string, d time.Duration) report {
		return report{beacon: beacon{Candidate: id, MaxRTT: d}, At: at(ms)}
	}
	var slow, fast ledgerBuilder
	slow.report(rtt(500, "c1", 250*time.Millisecond)).report(rtt(2100, "c2", 210*time.Millisecond))
	fast.report(rtt(500, "c1", 250*time.Millisecond)).report(rtt(500, "c2", 2*time.Millisecond))
	effect := latencyEffect(inj, []string{"c1", "c2"}, 100*time.Millisecond)
	wantEffect(t, effect, slow.led, at(3000), "")
	wantEffect(t, effect, fast.led, at(3000), "c2 never measured")
}

func TestFlapDemotedUnhealthy(t *testing.T) {
	f := flap{victim: "c1", start: at(0), demotions: 2}
	var l ledgerBuilder
	l.report(report{beacon: beacon{Candidate: "c1", Demotions: 2, LastDemoteReason: string(leadership.ReasonUnhealthy)}, At: at(100)})
	if f.demotedUnhealthy(l.led, at(1000)) {
		t.Fatal("an old demotion counted for the flap")
	}
	l.report(report{beacon: beacon{Candidate: "c1", Demotions: 3, LastDemoteReason: string(leadership.ReasonRenewDeadline)}, At: at(200)})
	if f.demotedUnhealthy(l.led, at(1000)) {
		t.Fatal("a demotion for another reason counted for the flap")
	}
	l.report(report{beacon: beacon{Candidate: "c1", Demotions: 4, LastDemoteReason: string(leadership.ReasonUnhealthy)}, At: at(300)})
	if !f.demotedUnhealthy(l.led, at(1000)) {
		t.Fatal("the flap's demotion was not seen")
	}
}

func TestLedgerQueries(t *testing.T) {
	a, b := token(1, "a", "c1"), token(6, "b", "c2")
	var l ledgerBuilder
	l.write(0, "c1", a, true).write(100, "c1", a, true).write(1900, "c2", b, true).write(1950, "c1", a, false).write(2000, "c2", b, true)
	if gap := l.led.longestGap(at(50), at(2100)); gap != 1800*time.Millisecond {
		t.Errorf("longest gap %v, want 1.8s", gap)
	}
	if w, ok := l.led.firstNewTerm(at(0), at(3000), a, "c2"); ok {
		t.Errorf("first new term excluding c2: %+v, want none", w)
	}
	if w, ok := l.led.firstNewTerm(at(0), at(3000), a, ""); !ok || !w.At.Equal(at(1900)) {
		t.Errorf("first new term: %+v %v, want c2's write at +1.9s", w, ok)
	}
	if n := l.led.rejectedIn(at(0), at(3000)); n != 1 {
		t.Errorf("rejected %d, want 1", n)
	}
	if terms := l.led.acceptedTerms(at(0), at(3000)); len(terms) != 2 || terms[0] != a || terms[1] != b {
		t.Errorf("accepted terms %v, want [%v %v]", terms, a, b)
	}
}

func wantEffect(t *testing.T, effect func(evidence) error, led ledger, end time.Time, why string) {
	t.Helper()
	err := effect(evidence{led: led, end: end, t: DefaultTiming()})
	switch {
	case why == "" && err != nil:
		t.Fatalf("effect not seen: %v", err)
	case why != "" && err == nil:
		t.Fatalf("effect seen, want none because %q", why)
	case why != "" && !strings.Contains(err.Error(), why):
		t.Fatalf("effect not seen because %v, want %q", err, why)
	}
}
