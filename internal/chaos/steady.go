package chaos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/batonhq/baton/leadership"
)

// pollInterval is how often the harness re-evaluates a condition it waits
// for; beacons arrive every ~100ms, so polling faster gains nothing.
const pollInterval = 50 * time.Millisecond

// steady is a window in which the election was settled: one leader, under
// one token, whose writes were accepted, and nobody else acting as leader.
type steady struct {
	At     time.Time // the window's start
	Leader string
	Token  leadership.Token
}

// steadyIn reports whether [to-window, to] was a steady window for the live
// candidates, and if not, why.
func steadyIn(l ledger, to time.Time, window time.Duration, live []string) (steady, error) {
	from := to.Add(-window)
	var leader string
	var term string
	for _, id := range live {
		bs := l.beaconsOf(id, from, to)
		if len(bs) == 0 {
			return steady{}, fmt.Errorf("%s sent no status report", id)
		}
		for _, b := range bs {
			if !b.Ready {
				// A fault must not find a candidate still opening its
				// bucket: that tests the start, not the election.
				return steady{}, fmt.Errorf("%s is not running yet", id)
			}
			if !b.believes() {
				continue
			}
			if leader != "" && leader != id {
				return steady{}, fmt.Errorf("both %s and %s report leading", leader, id)
			}
			if !b.Leading || b.Term == "" || b.Term != b.Token {
				return steady{}, fmt.Errorf("%s is between states (leading %v, term %q, token %q)", id, b.Leading, b.Term, b.Token)
			}
			if term != "" && term != b.Term {
				return steady{}, fmt.Errorf("%s changed term from %s to %s", id, term, b.Term)
			}
			leader, term = id, b.Term
		}
	}
	if leader == "" {
		return steady{}, errors.New("no candidate reports leading")
	}
	writes := l.writesIn(from, to)
	accepted := 0
	for _, w := range writes {
		switch {
		case !w.Accepted:
			return steady{}, fmt.Errorf("write #%d from %s under %s was refused", w.Seq, w.Candidate, w.Raw)
		case w.Candidate != leader || w.Raw != term:
			return steady{}, fmt.Errorf("write #%d from %s under %s while %s leads under %s", w.Seq, w.Candidate, w.Raw, leader, term)
		}
		accepted++
	}
	if accepted == 0 {
		return steady{}, fmt.Errorf("leader %s made no accepted write", leader)
	}
	tok, err := leadership.ParseToken(term)
	if err != nil {
		return steady{}, fmt.Errorf("leader %s reports a malformed token: %w", leader, err)
	}
	return steady{At: from, Leader: leader, Token: tok}, nil
}

// awaitSteady waits for a steady window that begins in [notBefore,
// notAfter]; liveFn lists the candidates expected to report. It returns the
// last reason the election was not steady when the deadline passes.
func awaitSteady(ctx context.Context, res *resource, window time.Duration, notBefore, notAfter time.Time, liveFn func() []string) (steady, error) {
	var st steady
	why := errors.New("not evaluated yet")
	ok, err := poll(ctx, notAfter.Add(window), func(now time.Time) bool {
		if now.Add(-window).Before(notBefore) {
			return false
		}
		live := liveFn()
		slices.Sort(live)
		s, err := steadyIn(res.snapshot(), now, window, live)
		if err != nil {
			why = err
			return false
		}
		st = s
		return true
	})
	switch {
	case err != nil:
		return steady{}, fmt.Errorf("waiting for a steady leader: %w (last: %w)", err, why)
	case !ok:
		return steady{}, fmt.Errorf("no steady leader by %s: %w", notAfter.Format("15:04:05.000"), why)
	}
	return st, nil
}

// poll evaluates cond every pollInterval until it holds or deadline passes,
// for conditions only observable in the resource's records. It reports
// whether cond held; only a cancelled ctx is an error.
func poll(ctx context.Context, deadline time.Time, cond func(now time.Time) bool) (bool, error) {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		now := time.Now()
		if cond(now) {
			return true, nil
		}
		if now.After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-ticker.C:
		}
	}
}
