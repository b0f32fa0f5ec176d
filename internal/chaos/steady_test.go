package chaos

import (
	"strings"
	"testing"
	"time"
)

func TestSteadyIn(t *testing.T) {
	const window = 600 * time.Millisecond
	tok := token(7, "n", "c1")
	live := []string{"c1", "c2"}
	settled := func(l *ledgerBuilder) {
		for ms := 0; ms <= 1000; ms += 100 {
			l.beacon(ms, "c1", &tok).beacon(ms+5, "c2", nil)
		}
		for ms := 0; ms <= 1000; ms += 70 {
			l.write(ms, "c1", tok, true)
		}
	}
	tests := map[string]struct {
		build func(*ledgerBuilder)
		why   string // "" when steady
	}{
		"one leader": {settled, ""},
		"a live candidate is silent": {func(l *ledgerBuilder) {
			for ms := 0; ms <= 1000; ms += 100 {
				l.beacon(ms, "c1", &tok)
			}
			l.write(900, "c1", tok, true)
		}, "c2 sent no status report"},
		"two leaders": {func(l *ledgerBuilder) {
			settled(l)
			l.beacon(900, "c2", new(token(9, "m", "c2")))
		}, "both c1 and c2 report leading"},
		"nobody leads": {func(l *ledgerBuilder) {
			l.beacon(900, "c1", nil).beacon(900, "c2", nil)
		}, "no candidate reports leading"},
		"a refused write": {func(l *ledgerBuilder) {
			settled(l)
			l.write(950, "c2", token(3, "o", "c2"), false)
		}, "was refused"},
		"another candidate writes": {func(l *ledgerBuilder) {
			settled(l)
			l.write(950, "c2", token(9, "m", "c2"), true)
		}, "while c1 leads"},
		"the leader does not write": {func(l *ledgerBuilder) {
			for ms := 0; ms <= 1000; ms += 100 {
				l.beacon(ms, "c1", &tok).beacon(ms+5, "c2", nil)
			}
		}, "made no accepted write"},
		"a candidate is still starting": {func(l *ledgerBuilder) {
			settled(l)
			l.report(report{beacon: beacon{Candidate: "c2"}, At: at(990)})
		}, "c2 is not running yet"},
		"the leader is between states": {func(l *ledgerBuilder) {
			settled(l)
			l.report(report{beacon: beacon{Candidate: "c1", Ready: true, Term: tok.String()}, At: at(990)})
		}, "between states"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var l ledgerBuilder
			tc.build(&l)
			st, err := steadyIn(l.led, at(1000), window, live)
			switch {
			case tc.why == "" && err != nil:
				t.Fatalf("not steady: %v", err)
			case tc.why == "" && (st.Leader != "c1" || st.Token != tok || !st.At.Equal(at(400))):
				t.Fatalf("steady %+v, want c1 under %v from +400ms", st, tok)
			case tc.why != "" && err == nil:
				t.Fatalf("steady %+v, want not steady because %q", st, tc.why)
			case tc.why != "" && !strings.Contains(err.Error(), tc.why):
				t.Fatalf("not steady because %v, want %q", err, tc.why)
			}
		})
	}
}
