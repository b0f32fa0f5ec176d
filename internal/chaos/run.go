package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Run runs one scenario: it starts the servers, the fenced resource and the
// candidates, waits for a steady leader, injects each fault in turn and
// checks it, then stops every candidate and checks the whole record.
//
// Violations are reported in the Report; the error is for runs the harness
// could not carry out (ErrInvalidScenario, ErrInfrastructure, a cancelled
// ctx). Everything Run starts is stopped before it returns.
func Run(ctx context.Context, sc Scenario) (*Report, error) {
	sc, t, err := sc.resolve()
	if err != nil {
		return nil, err
	}
	e, err := newEnv(sc, t)
	if err != nil {
		return nil, err
	}
	r := &runner{e: e, rep: &Report{Seed: sc.Seed, Topology: sc.Topology, Candidates: sc.Candidates}}
	runErr := r.run(ctx)
	r.finish(runErr != nil && ctx.Err() == nil)
	closeErr := e.close()
	if closeErr != nil {
		closeErr = fmt.Errorf("%w: cleanup: %w", ErrInfrastructure, closeErr)
	}
	return r.rep, errors.Join(runErr, closeErr)
}

// runner carries one run's report while the run goes on.
type runner struct {
	e   *env
	rep *Report
}

func (r *runner) violate(c Checker, class Class, format string, args ...any) {
	v := Violation{Checker: c, Fault: class, Detail: fmt.Sprintf(format, args...)}
	r.rep.Violations = append(r.rep.Violations, v)
	r.e.tl.add("VIOLATION %s", v)
}

func (r *runner) run(ctx context.Context) error {
	e := r.e
	start := time.Now()
	for range e.sc.Candidates {
		if err := e.startMember(); err != nil {
			return err
		}
	}
	ok, err := r.settle(ctx, "", start, start.Add(e.t.StartBound))
	if err != nil || !ok {
		return err
	}
	for _, class := range e.sc.Faults {
		if ok, err := r.fault(ctx, class); err != nil || !ok {
			return err
		}
	}
	return nil
}

// settle waits for a steady leader in [notBefore, notAfter]; a miss is an
// L violation for class.
func (r *runner) settle(ctx context.Context, class Class, notBefore, notAfter time.Time) (bool, error) {
	e := r.e
	st, err := awaitSteady(ctx, e.res, e.t.Settle, notBefore, notAfter, e.live)
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case err != nil:
		r.violate(CheckLiveness, class, "%v", err)
		return false, nil
	}
	e.steady = st
	e.tl.add("steady: %s leads under %s", st.Leader, st.Token)
	return true, nil
}

// fault injects one fault into a steady election and checks it. It reports
// false when the election did not settle afterwards, which ends the run.
func (r *runner) fault(ctx context.Context, class Class) (bool, error) {
	e := r.e
	if err := r.awaitBreakers(ctx); err != nil {
		return false, err
	}
	now := time.Now()
	if ok, err := r.settle(ctx, class, now, now.Add(e.t.LivenessBound)); err != nil || !ok {
		return false, err
	}
	f, _ := class.fault()
	inj, err := f.inject(ctx, e)
	if err != nil {
		return false, err
	}
	settled, err := r.settle(ctx, class, inj.healed, inj.healed.Add(e.t.LivenessBound))
	if err != nil {
		return false, err
	}
	end := time.Now()
	led := e.res.snapshot()
	fr := FaultReport{
		Class:         class,
		Victim:        inj.victim,
		Detail:        inj.detail,
		Duration:      inj.healed.Sub(inj.start),
		StaleRejected: led.rejectedIn(inj.start, end),
		Gap:           led.longestGap(inj.start, end),
		Settled:       settled,
	}
	for _, tok := range led.acceptedTerms(inj.start, end) {
		if tok.Revision > inj.prev.Revision {
			fr.LeaderChanges++
		}
	}
	if w, ok := led.firstNewTerm(inj.start, end, inj.prev, ""); ok {
		fr.Failover = w.At.Sub(inj.start)
	}
	if settled {
		fr.Recovery = e.steady.At.Sub(inj.healed)
	}
	ev := evidence{led: led, end: end, t: e.t}
	if inj.overlap != nil {
		fr.Overlap = inj.overlap(ev)
	}
	if err := inj.effect(ev); err != nil {
		r.violate(CheckEffect, class, "the fault had no effect: %v", err)
	} else {
		fr.Effective = true
	}
	r.rep.Faults = append(r.rep.Faults, fr)
	e.tl.add("%s: %s", class, fr.summary())
	r.checkProcesses()
	if settled && inj.after != nil {
		if err := inj.after(); err != nil {
			return false, err
		}
	}
	return settled, nil
}

// awaitBreakers waits, before a fault, until no live candidate reports an
// acquisition breaker still cooling down: a follower whose attempts failed
// during the previous fault (through a node that had not caught up yet, say)
// does not campaign until its cooldown ends, and a fault that frees the
// lease meanwhile would find nobody to take it. A breaker still cooling
// down past the bound is left to the fault's own checks.
func (r *runner) awaitBreakers(ctx context.Context) error {
	e := r.e
	ok, err := e.awaitLedger(ctx, e.t.BreakerCooldown+e.t.LivenessBound, func(l ledger, now time.Time) bool {
		for _, m := range e.liveMembers() {
			if b, ok := l.lastBeaconBefore(m.id, now); ok && b.BreakerOpenUntil.After(now) {
				return false
			}
		}
		return true
	})
	if err == nil && !ok {
		e.tl.add("a candidate's acquisition breaker is still cooling down; injecting anyway")
	}
	return err
}

// checkProcesses reports candidates that died without being told to.
func (r *runner) checkProcesses() {
	for _, m := range r.e.pool {
		if how := m.proc.unexpectedExit(); how != "" && !m.ended {
			m.ended = true
			r.violate(CheckProcess, "", "candidate %s died on its own (%s); output:\n%s", m.id, how, m.proc.out.String())
		}
	}
}

// finish stops the remaining candidates (each leader releases its lease),
// then checks fencing and term ownership over the whole record. broke says
// the harness could not carry the run out; the candidates' output is kept
// then too, since the cause may be in it.
func (r *runner) finish(broke bool) {
	e := r.e
	r.checkProcesses()
	for _, m := range e.pool {
		if !m.ended {
			e.end(m, false)
		}
	}
	for _, p := range e.problems {
		r.violate(CheckProcess, "", "%s", p)
	}
	led := e.res.snapshot()
	held, reused := checkOneHolder(led)
	for _, v := range append(checkFencing(led.writes, led.resets), held...) {
		r.violate(v.Checker, v.Fault, "%s", v.Detail)
	}
	r.rep.ReusedRevisions = reused
	r.rep.Accepted, r.rep.Rejected = led.counts()
	r.rep.LeaderChanges = max(len(led.acceptedTerms(time.Time{}, time.Now()))-1, 0)
	r.rep.Terms = termLines(led, e.tl)
	r.rep.Timeline = e.tl.snapshot()
	if len(r.rep.Violations) > 0 || broke {
		r.rep.Logs = make(map[string]string)
		for _, m := range e.pool {
			r.rep.Logs[m.id] = m.proc.out.String()
		}
	}
}
