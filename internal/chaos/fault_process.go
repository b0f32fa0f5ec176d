package chaos

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"time"
)

// Churn parameters.
const (
	churnMinCycles = 3
	churnMaxExtra  = 2
	churnMinGap    = 100 * time.Millisecond
	churnMaxExtraG = 300 * time.Millisecond
	// churnKillPercent of churn stops are SIGKILL instead of SIGTERM.
	churnKillPercent = 30
)

// pauseGrace is how long after SIGSTOP is sent the process may still run
// (signal delivery to every thread).
const pauseGrace = 50 * time.Millisecond

// justAnswered is how soon before SIGSTOP a write may have been answered
// with the leader's write loop not yet back at its check of the term.
const justAnswered = 5 * time.Millisecond

// injectKill kills the leader with SIGKILL. A replacement joins after the
// checks, so the pool keeps its size.
func injectKill(_ context.Context, e *env) (*injection, error) {
	v := e.member(e.steady.Leader)
	inj := e.begin(ClassKill, v.id)
	e.end(v, true)
	inj.healed = inj.start
	inj.detail = "leader " + v.id + " killed"
	inj.effect = func(ev evidence) error {
		_, taken := ev.led.firstNewTerm(inj.start, ev.end, inj.prev, v.id)
		return failIf(
			check{v.proc.killedBy(syscall.SIGKILL), fmt.Sprintf("%s did not die of SIGKILL: %v", v.id, v.proc.cmd.ProcessState)},
			check{taken, fmt.Sprintf("no other candidate took over after %s was killed", v.id)},
		)
	}
	inj.after = func() error {
		return e.startMember()
	}
	return inj, nil
}

// injectPause stops the leader with SIGSTOP until another candidate leads
// and at least a TTL plus a heartbeat has passed, then continues it.
func injectPause(ctx context.Context, e *env) (*injection, error) {
	v := e.member(e.steady.Leader)
	inj := e.begin(ClassPause, v.id)
	if err := v.proc.pause(); err != nil {
		return nil, err
	}
	e.tl.add("pause: SIGSTOP %s (it led under %s)", v.id, inj.prev)
	_, err := e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool {
		_, taken := l.firstNewTerm(inj.start, now, inj.prev, v.id)
		return taken
	})
	if rest := e.t.TTL + e.t.HeartbeatInterval - time.Since(inj.start); err == nil && rest > 0 {
		err = hold(ctx, rest)
	}
	// Taken before SIGCONT, so everything the victim does once continued
	// comes after the heal.
	inj.healed = time.Now()
	if rerr := v.proc.resume(); rerr != nil {
		return nil, rerr
	}
	paused := inj.healed.Sub(inj.start)
	e.tl.add("pause: SIGCONT %s after %v", v.id, paused.Round(time.Millisecond))
	if err != nil {
		return nil, err
	}
	inj.detail = fmt.Sprintf("leader %s stopped for %v", v.id, paused.Round(time.Millisecond))
	inj.effect = pauseEffect(inj)
	return inj, nil
}

// pauseEffect: the leader was stopped for longer than the TTL and really
// stopped (it stamped no status report meanwhile), another candidate took
// over meanwhile, the leader's write frozen mid-work was refused once it
// was continued (unless it was stopped mid-write, and wrote nothing stale
// after), and the leader then reported its demotion.
func pauseEffect(inj *injection) func(evidence) error {
	return func(ev evidence) error {
		v, paused := inj.victim, inj.healed.Sub(inj.start)
		_, taken := ev.led.firstNewTerm(inj.start, inj.healed, inj.prev, v)
		silent := !slices.ContainsFunc(ev.led.beaconsOf(v, inj.start, ev.end), func(b report) bool {
			return b.SentAt.After(inj.start.Add(pauseGrace)) && b.SentAt.Before(inj.healed)
		})
		fenced := slices.ContainsFunc(ev.led.writesIn(inj.healed, ev.end), func(w write) bool {
			return w.Candidate == v && !w.Accepted && w.Token == inj.prev
		})
		// A leader stopped with a write in flight (or just answered) is
		// frozen past its work and before its loop checks the term again:
		// once continued, it may see the term over and not write at all.
		caughtWriting := slices.ContainsFunc(ev.led.writesIn(inj.start.Add(-justAnswered), inj.start.Add(pauseGrace)), func(w write) bool {
			return w.Candidate == v
		})
		wroteAfter := slices.ContainsFunc(ev.led.writesIn(inj.healed, ev.end), func(w write) bool {
			return w.Candidate == v && w.Token == inj.prev
		})
		return failIf(
			check{paused > ev.t.TTL, fmt.Sprintf("%s was stopped for %v, not longer than the TTL %v", v, paused, ev.t.TTL)},
			check{silent, fmt.Sprintf("%s kept reporting while it should have been stopped", v)},
			check{taken, fmt.Sprintf("no other candidate took over while %s was stopped", v)},
			check{fenced || (caughtWriting && !wroteAfter), fmt.Sprintf("no stale write of %s under %s was refused after it was continued", v, inj.prev)},
			check{ev.led.demoted(v, inj.healed, ev.end), fmt.Sprintf("%s never reported its demotion after it was continued", v)},
		)
	}
}

// injectChurn starts a candidate and stops one, a few times in quick
// succession; the last stop hits the leader if no earlier one did.
func injectChurn(ctx context.Context, e *env) (*injection, error) {
	cycles := churnMinCycles + e.rng.IntN(churnMaxExtra+1)
	inj := e.begin(ClassChurn, "")
	e.tl.add("churn: %d start/stop cycles", cycles)
	var leaderStop time.Time
	var leaderID string
	kills := 0
	for i := range cycles {
		if err := e.startMember(); err != nil {
			return nil, err
		}
		if err := hold(ctx, e.churnGap()); err != nil {
			return nil, err
		}
		live := e.liveMembers()
		victim := live[e.rng.IntN(len(live))]
		believer, _, ok := e.believer(e.res.snapshot(), time.Now())
		if i == cycles-1 && leaderID == "" && ok {
			victim = believer
		}
		if ok && victim == believer && leaderID == "" {
			leaderID, leaderStop = victim.id, time.Now()
		}
		kill := e.rng.IntN(100) < churnKillPercent
		if kill {
			kills++
		}
		e.end(victim, kill)
		if err := hold(ctx, e.churnGap()); err != nil {
			return nil, err
		}
	}
	inj.healed = time.Now()
	inj.victim = leaderID
	inj.detail = fmt.Sprintf("%d candidates started and stopped (%d by SIGKILL); leader stopped: %s", cycles, kills, orNone(leaderID))
	inj.effect = func(ev evidence) error {
		_, taken := ev.led.firstNewTerm(leaderStop, ev.end, inj.prev, leaderID)
		return failIf(
			check{leaderID != "", "churn never stopped the leader"},
			check{taken, fmt.Sprintf("no other candidate took over after leader %s was stopped", leaderID)},
		)
	}
	return inj, nil
}

func (e *env) churnGap() time.Duration { return churnMinGap + e.upTo(churnMaxExtraG) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
