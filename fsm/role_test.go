package fsm

import (
	"math/rand/v2"
	"testing"
)

func TestRoleTableIsValid(t *testing.T) {
	if err := RoleLifecycle().Validate(); err != nil {
		t.Fatal(err)
	}
}

// roleWorld drives one role lifecycle with random inputs, playing the
// election (a term at a time, its end, its termination once asked to stop)
// and the term's actors, and checks the lifecycle's invariants.
type roleWorld struct {
	t        *testing.T
	rng      *rand.Rand
	s        RoleState
	next     uint64   // the next term's revision
	election RoleTerm // the election's open term, zero if none
	asked    bool     // the election was asked to stop
	gone     bool     // the election terminated
	actors   int      // term actors alive
	reported *RoleTerm
	stopped  bool
	drainQ   bool
	log      []RoleInput
}

func (w *roleWorld) feed(in RoleInput) {
	w.t.Helper()
	if len(w.log) == 20 {
		w.log = w.log[1:]
	}
	w.log = append(w.log, in)
	var effects []RoleEffect
	w.s, effects = RoleStep(w.s, in)
	for _, e := range effects {
		w.check(e)
	}
}

func (w *roleWorld) fail(format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf(format+"\nstate %+v\ninputs %+v", append(args, w.s, w.log)...)
}

func (w *roleWorld) check(e RoleEffect) {
	w.t.Helper()
	switch e.Kind {
	case RoleDoPromoted:
		if w.reported != nil {
			w.fail("term %d reported begun while term %d is not over", e.Term.Revision, w.reported.Revision)
		}
		term := e.Term
		w.reported = &term
	case RoleDoStartTermActors:
		if w.s.Finishing {
			w.fail("term actors started while finishing")
		}
		w.actors = 2
	case RoleDoDemoted:
		if w.reported == nil || *w.reported != e.Term {
			w.fail("end of term %d reported, begun %v", e.Term.Revision, w.reported)
		}
		if w.actors > 0 && w.s.Phase != RoleEnded {
			w.fail("end of term %d reported with %d term actors alive", e.Term.Revision, w.actors)
		}
		if e.Reason == "" {
			w.fail("end of term %d without a reason", e.Term.Revision)
		}
		w.reported = nil
	case RoleDoStopElection:
		if w.asked {
			w.fail("election asked to stop twice")
		}
		if w.actors > 0 {
			w.fail("election stopped while %d term actors still run", w.actors)
		}
		w.asked = true
	case RoleDoDrainCallbacks:
		if !w.gone || w.reported != nil {
			w.fail("callbacks drained with the election running or a term open")
		}
		w.drainQ = true
	case RoleDoStop:
		if !w.drainQ {
			w.fail("stopped before the callbacks drained")
		}
		w.stopped = true
	}
}

// random does one random thing, as the role's election, actors or owner.
func (w *roleWorld) random() {
	switch n := w.rng.IntN(10); {
	case n < 3 && !w.gone:
		if w.election == (RoleTerm{}) {
			w.next++
			w.election = RoleTerm{Revision: w.next, Nonce: "n"}
			w.feed(RoleInput{Kind: RoleInPromoted, Term: w.election, Actors: 2})
		} else {
			term := w.election
			w.election = RoleTerm{}
			w.feed(RoleInput{Kind: RoleInDemoted, Term: term, Reason: ReasonRenewDeadline})
		}
	case n < 6 && w.actors > 0 && w.s.Phase != RoleLeading || n < 4 && w.actors > 0:
		w.actors--
		w.feed(RoleInput{Kind: RoleInActorGone, Actors: w.actors})
	case n < 7:
		w.feed(RoleInput{Kind: RoleInWorkFailed})
	case n < 8:
		w.feed(RoleInput{Kind: RoleInFinish})
	case n < 9 && w.asked && !w.gone:
		if w.election != (RoleTerm{}) {
			term := w.election
			w.election = RoleTerm{}
			w.feed(RoleInput{Kind: RoleInDemoted, Term: term, Reason: ReasonStopped})
		}
		w.gone = true
		w.feed(RoleInput{Kind: RoleInElectionGone})
	default:
		if w.drainQ {
			w.feed(RoleInput{Kind: RoleInCallbacksDrained})
		}
	}
}

// TestRoleLifecycleProperties drives random role lifecycles and checks: a
// term is reported begun and over in pairs, its end only once its actors are
// gone; the election is asked to stop once, after the term's actors; the
// callbacks drain only after the election is gone with no term open, and the
// role stops only after that; a finished role always ends.
func TestRoleLifecycleProperties(t *testing.T) {
	runs := 20_000
	if raceEnabled {
		runs /= 10
	}
	for seed := range uint64(runs) {
		w := &roleWorld{t: t, rng: rand.New(rand.NewPCG(seed, 1)), s: NewRoleState(int(seed % 3))}
		w.feed(RoleInput{Kind: RoleInStart})
		for i := 0; i < 80 && !w.stopped; i++ {
			w.random()
		}
		if w.stopped {
			continue
		}
		// End it: finish, let everything answer, and the role must end.
		w.feed(RoleInput{Kind: RoleInFinish})
		for i := 0; i < 50 && !w.stopped; i++ {
			switch {
			case w.actors > 0:
				w.actors--
				w.feed(RoleInput{Kind: RoleInActorGone, Actors: w.actors})
			case w.asked && !w.gone:
				if w.election != (RoleTerm{}) {
					term := w.election
					w.election = RoleTerm{}
					w.feed(RoleInput{Kind: RoleInDemoted, Term: term, Reason: ReasonStopped})
				}
				w.gone = true
				w.feed(RoleInput{Kind: RoleInElectionGone})
			case w.drainQ:
				w.feed(RoleInput{Kind: RoleInCallbacksDrained})
			}
		}
		if !w.stopped {
			w.fail("seed %d: a finished role did not end", seed)
		}
		if w.reported != nil {
			w.fail("seed %d: ended with term %d never reported over", seed, w.reported.Revision)
		}
	}
}

func TestRoleAbortReportsTheOpenTerm(t *testing.T) {
	s := NewRoleState(0)
	s, _ = RoleStep(s, RoleInput{Kind: RoleInStart})
	term := RoleTerm{Revision: 5, Nonce: "n"}
	s, _ = RoleStep(s, RoleInput{Kind: RoleInPromoted, Term: term, Actors: 1})
	s, effects := RoleStep(s, RoleInput{Kind: RoleInAbort, Reason: ReasonFailed})
	if s.Phase != RoleEnded || len(effects) != 2 || effects[1].Kind != RoleDoDemoted || effects[1].Term != term || effects[1].Reason != ReasonFailed {
		t.Fatalf("abort with a term open: phase %s, effects %+v; want the term reported over, reason failed", s.Phase, effects)
	}
}
