package chaos

import (
	"testing"
)

func TestCheckFencingPassesMonotonicTerms(t *testing.T) {
	a, b := token(1, "a", "c1"), token(5, "b", "c2")
	var l ledgerBuilder
	l.write(0, "c1", a, true).write(10, "c1", a, true).
		write(20, "c2", b, true).write(30, "c1", a, false). // the stale leader is refused
		write(40, "c2", b, true)
	wantViolations(t, checkFencing(l.led.writes, nil), CheckFencing, 0)
}

func TestCheckFencingFlagsBadDecisions(t *testing.T) {
	a, b := token(1, "a", "c1"), token(5, "b", "c2")
	tests := map[string]func(*ledgerBuilder){
		"stale token accepted": func(l *ledgerBuilder) {
			l.write(0, "c2", b, true).write(10, "c1", a, true)
		},
		"same revision, other nonce accepted": func(l *ledgerBuilder) {
			l.write(0, "c2", b, true).write(10, "c3", token(5, "x", "c3"), true)
		},
		"superseding token refused": func(l *ledgerBuilder) {
			l.write(0, "c1", a, true).write(10, "c2", b, false)
		},
		"first token refused": func(l *ledgerBuilder) {
			l.write(0, "c1", a, false)
		},
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			var l ledgerBuilder
			build(&l)
			wantViolations(t, checkFencing(l.led.writes, nil), CheckFencing, 1)
		})
	}
}

func TestCheckFencingFlagsAcceptedMalformedToken(t *testing.T) {
	writes := []write{{Seq: 0, Candidate: "c1", Raw: "junk", ParseErr: "bad", Accepted: true}}
	wantViolations(t, checkFencing(writes, nil), CheckFencing, 1)
}

func TestCheckOneHolder(t *testing.T) {
	a, b := token(1, "a", "c1"), token(5, "b", "c2")
	tests := map[string]struct {
		build func(*ledgerBuilder)
		want  int
	}{
		"distinct terms": {func(l *ledgerBuilder) {
			l.write(0, "c1", a, true).write(10, "c2", b, true).beacon(20, "c2", &b)
		}, 0},
		"one revision, two holders": {func(l *ledgerBuilder) {
			l.write(0, "c2", b, true).write(10, "c3", token(5, "x", "c3"), false)
		}, 1},
		"one revision, two nonces of one holder": {func(l *ledgerBuilder) {
			l.write(0, "c2", b, true).beacon(10, "c2", new(token(5, "y", "c2")))
		}, 1},
		"a candidate uses another's token": {func(l *ledgerBuilder) {
			l.write(0, "c1", b, false)
		}, 1},
		"a status report with another's token": {func(l *ledgerBuilder) {
			l.beacon(0, "c3", &a)
		}, 1},
		"malformed token in a report": {func(l *ledgerBuilder) {
			l.report(report{beacon: beacon{Candidate: "c1", Term: "nope"}})
		}, 1},
		"the same conflict is reported once": {func(l *ledgerBuilder) {
			x := token(5, "x", "c3")
			l.write(0, "c2", b, true).write(10, "c3", x, false).write(20, "c3", x, false)
		}, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var l ledgerBuilder
			tc.build(&l)
			wantViolations(t, held(checkOneHolder(l.led)), CheckOneHolder, tc.want)
		})
	}
}

// held drops the reused revisions of checkOneHolder.
func held(v []Violation, _ []string) []Violation { return v }
