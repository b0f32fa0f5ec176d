package chaos

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/leadership"
)

// Clock drift beyond the bound: the drifting candidate's clock runs at a
// rate in [1+driftBeyondMin, 1+driftBeyondMin+driftBeyondSpan], so its
// RenewDeadline (1.2s by default) lasts 3.4s to 4.8s of real time, and its
// DisconnectGrace (600ms) 1.7s to 2.4s after its client notices the cut:
// either way well past the 2s TTL after which the server frees its key.
const (
	driftBeyondMin  = -0.75
	driftBeyondSpan = 0.1
)

// driftRounding is what converting a drifting clock's times to real time
// may lose to float rounding.
const driftRounding = time.Millisecond

// injectClockDrift makes a candidate whose clock drifts within
// MaxClockDrift (faster or slower) the leader, and cuts it off.
func injectClockDrift(ctx context.Context, e *env) (*injection, error) {
	rho := (2*e.rng.Float64() - 1) * leadership.DefaultMaxClockDrift
	return e.injectDrift(ctx, ClassClockDrift, rho, withinDriftEffect)
}

// injectClockDriftBeyond makes a candidate whose clock runs far slower than
// MaxClockDrift allows the leader, and cuts it off.
func injectClockDriftBeyond(ctx context.Context, e *env) (*injection, error) {
	rho := driftBeyondMin + e.rng.Float64()*driftBeyondSpan
	return e.injectDrift(ctx, ClassClockDriftBeyond, rho, beyondDriftEffect)
}

// drift is one drifting leader's fault, for its effect checks.
type drift struct {
	victim string
	rate   float64
	held   write // the victim's first write under its term, which the cut ends
	cut    time.Time
}

// injectDrift starts a candidate with a clock at rate 1+rho and a higher
// priority, so the leader hands it the lease
// (Config.Succession.PreferredLeader); then it cuts that new leader's NATS
// link silently until another candidate leads and the victim has demoted
// itself, and stops the victim, still cut off (healed, it would take the
// lease back). The fault proper is the cut: the injection starts there, with
// the victim's term as the one before.
func (e *env) injectDrift(ctx context.Context, class Class, rho float64, effect func(drift) func(evidence) error) (*injection, error) {
	inj := e.begin(class, "")
	v, err := e.launch(rho, 1)
	if err != nil {
		return nil, err
	}
	inj.victim = v.id
	d := drift{victim: v.id, rate: 1 + rho}
	e.tl.add("%s: started %s with a clock at rate %.3f and a higher priority; %s leads under %s", class, v.id, d.rate, e.steady.Leader, inj.prev)
	ok, err := e.awaitLedger(ctx, e.t.StartBound, func(l ledger, now time.Time) bool {
		var found bool
		d.held, found = l.firstWriteOf(v.id, inj.start, now, inj.prev)
		return found
	})
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("%w: %s: %s never wrote under a lease handed to it", ErrInfrastructure, class, v.id)
	}
	e.tl.add("%s: %s leads under %s", class, v.id, d.held.Raw)
	d.cut = time.Now()
	inj.start, inj.prev = d.cut, d.held.Token
	for _, p := range v.proxies {
		p.Blackhole()
	}
	e.tl.add("%s: %s's NATS link drops everything", class, v.id)
	_, err = e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool {
		_, taken := l.firstNewTerm(d.cut, now, d.held.Token, v.id)
		return taken && l.demoted(v.id, d.cut, now)
	})
	if err != nil {
		return nil, err
	}
	e.end(v, false)
	inj.healed = time.Now()
	inj.detail = fmt.Sprintf("%s's clock at rate %.3f (MaxClockDrift %v), its link cut for %v",
		v.id, d.rate, leadership.DefaultMaxClockDrift, inj.healed.Sub(d.cut).Round(time.Millisecond))
	inj.effect = effect(d)
	inj.overlap = d.overlap
	inj.after = e.startMember
	return inj, nil
}

// driftSeen is what the record shows of a drifting leader's end.
type driftSeen struct {
	next       write     // the first accepted write of the next term
	promoted   time.Time // when the next holder sent its acquisition (else next.At)
	deadline   time.Time // the victim's last reported LeaseDeadline under its term
	lastBelief time.Time // when the victim last reported leading under its term
	rated      bool      // every deadline it reported was RenewDeadline/rate after its renewal
	refused    int       // the victim's writes refused after the next holder's first
}

// see reads the record of the victim's term and of the next.
func (d drift) see(ev evidence) (driftSeen, bool) {
	next, ok := ev.led.firstNewTerm(d.cut, ev.end, d.held.Token, d.victim)
	if !ok {
		return driftSeen{}, false
	}
	s := driftSeen{next: next, promoted: next.At, rated: true}
	want := time.Duration(float64(ev.t.RenewDeadline) / d.rate)
	for _, b := range ev.led.beacons {
		switch {
		case b.Candidate == next.Candidate && b.Leading && b.Token == next.Raw && !b.LastRenewal.IsZero():
			s.promoted = minTime(s.promoted, b.LastRenewal)
		case b.Candidate == d.victim && b.Leading && b.Token == d.held.Raw:
			s.deadline = maxTime(s.deadline, b.LeaseDeadline)
			s.lastBelief = maxTime(s.lastBelief, b.SentAt)
			if got := b.LeaseDeadline.Sub(b.LastRenewal); got < want-driftRounding || got > want+driftRounding {
				s.rated = false
			}
		}
	}
	for _, w := range ev.led.writesIn(next.At, ev.end) {
		if w.Candidate == d.victim && w.Raw == d.held.Raw && !w.Accepted {
			s.refused++
		}
	}
	return s, true
}

// overlap is how long after the next holder's promotion the victim still
// reported leading: zero within MaxClockDrift; beyond it, the overlap the
// fault exists to show, harmless only because fencing refuses the
// victim's writes.
func (d drift) overlap(ev evidence) time.Duration {
	s, ok := d.see(ev)
	if !ok || !s.lastBelief.After(s.promoted) {
		return 0
	}
	return s.lastBelief.Sub(s.promoted)
}

// withinDriftEffect: the drifting leader's deadline ran on its clock, and,
// the drift being within MaxClockDrift, it came before the next holder's
// promotion: the leader demoted itself before the server could free its key.
func withinDriftEffect(d drift) func(evidence) error {
	return func(ev evidence) error {
		s, taken := d.see(ev)
		return failIf(
			check{taken, fmt.Sprintf("no other candidate took over after %s was cut off", d.victim)},
			check{ev.led.demoted(d.victim, d.cut, ev.end), fmt.Sprintf("%s never reported its demotion after it was cut off", d.victim)},
			check{!s.deadline.IsZero(), fmt.Sprintf("%s never reported a lease deadline under %s", d.victim, d.held.Raw)},
			check{s.rated, fmt.Sprintf("%s's deadlines were not RenewDeadline/%.3f after its renewals: its clock did not drift", d.victim, d.rate)},
			check{s.deadline.Before(s.promoted), fmt.Sprintf("%s's lease deadline %s came after %s's promotion at %s, with its clock within MaxClockDrift",
				d.victim, s.deadline.Format(stampFormat), s.next.Candidate, s.promoted.Format(stampFormat))},
		)
	}
}

// beyondDriftEffect: the drifting leader's deadline ran on its clock, past
// the next holder's promotion; it still reported leading after that
// promotion (the overlap), and the resource refused its writes then.
func beyondDriftEffect(d drift) func(evidence) error {
	return func(ev evidence) error {
		s, taken := d.see(ev)
		return failIf(
			check{taken, fmt.Sprintf("no other candidate took over after %s was cut off", d.victim)},
			check{s.rated, fmt.Sprintf("%s's deadlines were not RenewDeadline/%.3f after its renewals: its clock did not drift", d.victim, d.rate)},
			check{s.deadline.After(s.promoted) && s.lastBelief.After(s.promoted), fmt.Sprintf(
				"no overlap: %s last reported leading at %s (deadline %s), not after %s's promotion at %s",
				d.victim, s.lastBelief.Format(stampFormat), s.deadline.Format(stampFormat), s.next.Candidate, s.promoted.Format(stampFormat))},
			check{s.refused > 0, fmt.Sprintf("no write of %s under %s was refused during the overlap", d.victim, d.held.Raw)},
			check{ev.led.demoted(d.victim, d.cut, ev.end), fmt.Sprintf("%s never reported its demotion after it was cut off", d.victim)},
		)
	}
}

// stampFormat shows the times an effect check compares.
const stampFormat = "15:04:05.000"

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
