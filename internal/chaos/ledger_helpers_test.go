package chaos

import (
	"testing"
	"time"

	"github.com/batonhq/baton/leadership"
)

// t0 is the origin of synthetic records.
var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func token(rev uint64, nonce, holder string) leadership.Token {
	return leadership.Token{Role: roleName, Holder: holder, Revision: rev, Nonce: nonce}
}

// ledgerBuilder builds synthetic records in arrival order.
type ledgerBuilder struct {
	led ledger
}

func (b *ledgerBuilder) write(ms int, candidate string, tok leadership.Token, accepted bool) *ledgerBuilder {
	b.led.writes = append(b.led.writes, write{
		Seq: len(b.led.writes), Candidate: candidate, Raw: tok.String(), Token: tok, At: at(ms), Accepted: accepted,
	})
	return b
}

func (b *ledgerBuilder) beacon(ms int, candidate string, leading *leadership.Token) *ledgerBuilder {
	r := report{beacon: beacon{Candidate: candidate, Ready: true}, At: at(ms)}
	if leading != nil {
		r.Leading, r.Token, r.Term = true, leading.String(), leading.String()
	}
	b.led.beacons = append(b.led.beacons, r)
	return b
}

func (b *ledgerBuilder) report(r report) *ledgerBuilder {
	b.led.beacons = append(b.led.beacons, r)
	return b
}

func wantViolations(t *testing.T, got []Violation, checker Checker, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d violations, want %d: %v", len(got), n, got)
	}
	for _, v := range got {
		if v.Checker != checker {
			t.Fatalf("violation %v is not from checker %s", v, checker)
		}
	}
}
