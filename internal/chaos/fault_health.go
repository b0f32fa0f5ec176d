package chaos

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/leadership"
)

// Health-flap parameters.
const (
	flapMinCount   = 2
	flapMaxExtra   = 1
	flapMaxHealthy = 300 * time.Millisecond // random extra time unhealthy after the demotion
)

// flap is one leader made unhealthy.
type flap struct {
	victim    string
	start     time.Time
	demotions int // the victim's demotion count before the flap
}

// healthWait bounds how long a leader may take to notice failing health
// checks: the instruction rides on a beacon reply, then the threshold of
// failed checks must be reached.
func (e *env) healthWait() time.Duration {
	return e.t.HealthInterval*time.Duration(e.t.HealthFailureThreshold+2) + 2*e.t.BeaconInterval + time.Second
}

// injectHealthFlap makes the leader unhealthy until it demotes, then healthy
// again, and repeats on whoever leads next.
func injectHealthFlap(ctx context.Context, e *env) (*injection, error) {
	count := flapMinCount + e.rng.IntN(flapMaxExtra+1)
	inj := e.begin(ClassHealthFlap, e.steady.Leader)
	v, tok := e.member(e.steady.Leader), e.steady.Token
	var flaps []flap
	for i := range count {
		if i > 0 {
			ok, err := e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool {
				m, t, ok := e.believer(l, now)
				if ok && t.Revision > tok.Revision {
					v, tok = m, t
				}
				return ok && v == m
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				break // the effect check reports the missing flaps
			}
		}
		f := flap{victim: v.id, start: time.Now()}
		if b, ok := e.res.snapshot().lastBeaconBefore(v.id, f.start); ok {
			f.demotions = b.Demotions
		}
		flaps = append(flaps, f)
		e.res.setHealthy(v.id, false)
		e.tl.add("health-flap: %s (leading under %s) fails its health checks", v.id, tok)
		_, err := e.awaitLedger(ctx, e.healthWait(), f.demotedUnhealthy)
		if err == nil {
			err = hold(ctx, e.upTo(flapMaxHealthy))
		}
		e.res.setHealthy(v.id, true)
		e.tl.add("health-flap: %s healthy again", v.id)
		if err != nil {
			return nil, err
		}
	}
	inj.healed = time.Now()
	inj.detail = fmt.Sprintf("%d of %d planned flaps", len(flaps), count)
	inj.effect = func(ev evidence) error {
		checks := []check{{len(flaps) == count, fmt.Sprintf("only %d of %d flaps found a new leader to fail", len(flaps), count)}}
		for _, f := range flaps {
			checks = append(checks, check{f.demotedUnhealthy(ev.led, inj.healed), fmt.Sprintf(
				"%s did not demote for %q after its health checks began to fail", f.victim, leadership.ReasonUnhealthy)})
		}
		return failIf(checks...)
	}
	return inj, nil
}

// demotedUnhealthy reports whether the victim reported a new demotion for
// ReasonUnhealthy between the flap's start and to.
func (f flap) demotedUnhealthy(l ledger, to time.Time) bool {
	for _, b := range l.beaconsOf(f.victim, f.start, to) {
		if b.Demotions > f.demotions && b.LastDemoteReason == string(leadership.ReasonUnhealthy) {
			return true
		}
	}
	return false
}
