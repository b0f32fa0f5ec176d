package chaos

import (
	"testing"
	"time"
)

// The clock-drift effect checks must fail when the fault did not do what
// its variant says: a leader within MaxClockDrift must demote before the
// next holder's promotion, one beyond it must be seen believing after it,
// with its writes refused; and either must show that its clock drifted.
func TestClockDriftEffects(t *testing.T) {
	held, next := token(17, "a", "c4"), token(25, "b", "c2")
	const rate = 0.5 // RenewDeadline 1.2s lasts 2.4s of real time
	d := drift{victim: "c4", rate: rate, cut: at(0)}
	d.held = write{Candidate: "c4", Raw: held.String(), Token: held, Accepted: true}
	leading := func(ms, renewedMs int, deadline time.Duration) report {
		return report{beacon: beacon{Candidate: "c4", Leading: true, Token: held.String(), SentAt: at(ms),
			LastRenewal: at(renewedMs), LeaseDeadline: at(renewedMs).Add(deadline)}, At: at(ms)}
	}
	onClock := time.Duration(float64(DefaultTiming().RenewDeadline) / rate)
	promoted := report{beacon: beacon{Candidate: "c2", Leading: true, Token: next.String(), SentAt: at(2100), LastRenewal: at(2050)}, At: at(2100)}

	var within ledgerBuilder // demoted at +1.9s, before the promotion at +2.05s
	within.report(leading(100, -500, onClock)).beacon(1900, "c4", nil).report(promoted).write(2100, "c2", next, true)
	wantEffect(t, withinDriftEffect(d), within.led, at(4000), "")
	wantEffect(t, beyondDriftEffect(d), within.led, at(4000), "no overlap")

	var beyond ledgerBuilder // still believing at +2.3s, its write refused
	beyond.report(leading(100, -100, onClock)).report(promoted).write(2100, "c2", next, true).
		report(leading(2300, -100, onClock)).write(2350, "c4", held, false).beacon(2600, "c4", nil)
	wantEffect(t, beyondDriftEffect(d), beyond.led, at(4000), "")
	wantEffect(t, withinDriftEffect(d), beyond.led, at(4000), "came after")
	if o := d.overlap(evidence{led: beyond.led, end: at(4000), t: DefaultTiming()}); o != 250*time.Millisecond {
		t.Errorf("overlap %v, want 250ms (last belief at +2.3s, promotion at +2.05s)", o)
	}

	var unfenced ledgerBuilder // believing after the promotion, but no write refused
	unfenced.report(leading(100, -100, onClock)).report(promoted).write(2100, "c2", next, true).
		report(leading(2300, -100, onClock)).beacon(2600, "c4", nil)
	wantEffect(t, beyondDriftEffect(d), unfenced.led, at(4000), "was refused")

	var undrifted ledgerBuilder // deadlines RenewDeadline after renewals: the clock did not drift
	undrifted.report(leading(100, -500, DefaultTiming().RenewDeadline)).beacon(1900, "c4", nil).report(promoted).write(2100, "c2", next, true)
	wantEffect(t, withinDriftEffect(d), undrifted.led, at(4000), "did not drift")

	var noTakeover ledgerBuilder
	noTakeover.report(leading(100, -500, onClock)).beacon(1900, "c4", nil)
	wantEffect(t, withinDriftEffect(d), noTakeover.led, at(4000), "took over")
}
