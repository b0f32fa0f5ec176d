package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/leadership"
)

// Checker names a property a run is checked against. F1, F2 and L are the
// chaos harness's (internal/chaos/checker.go); S and X are checked here
// because virtual time lets the simulation see every instant.
type Checker string

// The checkers.
const (
	// CheckFencing (F1): the register accepted no write under a superseded
	// token and refused none that supersedes, re-derived from the fencing
	// rule of the architecture independently of Token.Supersedes.
	CheckFencing Checker = "F1"
	// CheckOneHolder (F2): each term (token revision) belongs to one holder
	// and one nonce, across promotions and writes.
	CheckOneHolder Checker = "F2"
	// CheckLease (S): at every instant, a candidate that leads and whose
	// own deadline has not passed holds the key on the server, and the
	// server will not expire it before that deadline; so at most one
	// candidate believes it leads.
	CheckLease Checker = "S"
	// CheckLiveness (L): within livenessBound after the faults heal, some
	// healthy candidate leads (one left sick for good does not count),
	// unless none is healthy.
	CheckLiveness Checker = "L"
	// CheckStop (X): every candidate stopped gracefully finishes within
	// stopBound (a TTL more when it awaits its work's report, which may
	// never come), and the lease is given back (released, or offered
	// under the offer's own TTL).
	CheckStop Checker = "X"
	// CheckProgress (P): the run ends; nothing repeats forever without
	// virtual time passing.
	CheckProgress Checker = "P"
)

// Violation is one failed check of one run.
type Violation struct {
	Checker Checker
	// At is the virtual time it was found.
	At time.Duration
	// Detail says what was seen.
	Detail string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s at %v: %s", v.Checker, v.At, v.Detail)
}

// checker keeps the evidence of one run. Each property reports at most
// once per run: the first violation is the one to replay.
type checker struct {
	out      []Violation
	seen     map[Checker]bool
	owners   map[uint64]leadership.Token // F2: the first token seen per revision
	healedAt time.Duration
	led      bool // L: a healthy candidate led after the heal
}

func newChecker() checker {
	return checker{seen: map[Checker]bool{}, owners: map[uint64]leadership.Token{}}
}

// fail records a violation of ch unless one was recorded.
func (k *checker) fail(w *world, ch Checker, format string, args ...any) {
	if k.seen[ch] {
		return
	}
	k.seen[ch] = true
	k.out = append(k.out, Violation{Checker: ch, At: w.now, Detail: fmt.Sprintf(format, args...)})
}

// promoted checks F2 for a new term.
func (k *checker) promoted(c *candidate, tok leadership.Token) {
	k.own(c.w, tok, "promotion of "+c.name)
}

// own checks that tok's revision has one holder and nonce.
func (k *checker) own(w *world, tok leadership.Token, where string) {
	first, ok := k.owners[tok.Revision]
	if !ok {
		k.owners[tok.Revision] = tok
		return
	}
	if first.Nonce != tok.Nonce || first.Holder != tok.Holder {
		k.fail(w, CheckOneHolder, "revision %d held twice: %s and %s (%s)", tok.Revision, first, tok, where)
	}
}

// demoted counts terms that ended at their deadline.
func (k *checker) demoted(c *candidate, e fsm.Effect) {
	if e.Reason == fsm.ReasonRenewDeadline {
		c.w.res.DeadlineDemotions++
	}
}

// leases checks S now: after every step and every change of a key.
func (k *checker) leases(w *world) {
	believers, healthy := 0, false
	for _, c := range w.cands {
		until, ok := c.believes()
		if !ok {
			continue
		}
		believers++
		healthy = healthy || !c.sick
		e := w.store.Get(role)
		if e.Kind != Put || e.Value.nonce != c.s.Lease.Nonce || termOf(e) != c.s.Lease.Term {
			k.fail(w, CheckLease, "%s leads term %d (nonce %s) until %v, but the server's key is %s", c.name, c.s.Lease.Term, c.s.Lease.Nonce, until, describe(e))
			continue
		}
		if !e.Expires.IsZero() {
			if exp := w.earliestExpiry(e.Expires); exp < until {
				k.fail(w, CheckLease, "%s leads term %d until %v, but the server may expire its key at %v", c.name, c.s.Lease.Term, until, exp)
			}
		}
		if sess := e.Value.session; sess != "" {
			k.session(w, c, until, w.store.Get(sess))
		}
	}
	if believers > 1 {
		w.res.TwoLeaders++
		k.fail(w, CheckLease, "%d candidates lead at once", believers)
	}
	if healthy && k.healedAt > 0 && !k.led {
		k.led = true
		w.res.Recovery = w.now - k.healedAt
	}
}

// session checks S in session mode: a leader's session key holds a value
// on the server, which will not expire it before the leader's deadline.
func (k *checker) session(w *world, c *candidate, until time.Duration, s Entry[value]) {
	if s.Kind != Put {
		k.fail(w, CheckLease, "%s leads term %d until %v, but its session %s is %s", c.name, c.s.Lease.Term, until, s.Role, describe(s))
		return
	}
	if exp := w.earliestExpiry(s.Expires); exp < until {
		k.fail(w, CheckLease, "%s leads term %d until %v, but the server may expire its session %s at %v", c.name, c.s.Lease.Term, until, s.Role, exp)
	}
}

// describe names a key's message for a report.
func describe(e Entry[value]) string {
	switch e.Kind {
	case Put:
		offer := ""
		if e.Value.offeredTo != "" {
			offer = ", offered to " + e.Value.offeredTo
		}
		return fmt.Sprintf("held by %s term %d (nonce %s%s) at revision %d", e.Value.holder, termOf(e), e.Value.nonce, offer, e.Revision)
	case Deleted:
		return fmt.Sprintf("deleted at revision %d", e.Revision)
	case Purged:
		return fmt.Sprintf("expired at revision %d", e.Revision)
	default:
		return "absent"
	}
}

// healed starts the liveness window.
func (k *checker) healed(w *world) {
	k.healedAt = w.now
	k.leases(w)
}

// liveness checks L at the end of the window.
func (k *checker) liveness(w *world) {
	if k.led || !slices.ContainsFunc(w.cands, func(c *candidate) bool { return !c.sick }) {
		return
	}
	k.fail(w, CheckLiveness, "no healthy candidate led within %v after the faults healed; key %s", livenessBound, describe(w.store.Get(role)))
}

// stoppedInTime checks X, stopBound after the stop, for the candidates
// whose stop waits for no report of their work.
func (k *checker) stoppedInTime(w *world) {
	for _, c := range w.cands {
		if !c.finished && !c.t.AwaitWorkStopped {
			k.fail(w, CheckStop, "%s did not finish stopping within %v (phase %s)", c.name, stopBound, c.s.Phase)
		}
	}
}

// stopped checks X at the end of the run: every candidate finished, its
// work's report awaited at most a TTL (the core's TimerWorkStop), and the
// lease is given back.
func (k *checker) stopped(w *world) {
	for _, c := range w.cands {
		if !c.finished {
			k.fail(w, CheckStop, "%s did not finish stopping within %v (phase %s)", c.name, ttl+stopBound, c.s.Phase)
		}
	}
	// A lease whose session ended is free: anyone may take it over. An
	// offer is given back too: a leader that stops hands the lease to the
	// next in the order of succession, which may be stopping as well, and
	// an offer nobody claims expires by its own TTL.
	if e := w.store.Get(role); e.Kind == Put && (e.Value.session == "" || w.store.Get(e.Value.session).Kind == Put) && (e.Value.offeredTo == "" || e.Expires.IsZero()) {
		k.fail(w, CheckStop, "every candidate stopped but the key is %s", describe(e))
	}
}

// fencing checks F1 and F2 over the register's decisions.
func (k *checker) fencing(w *world) {
	var hi leadership.Token
	have := false
	for i, wr := range w.register.writes {
		t := wr.token
		k.own(w, t, fmt.Sprintf("write #%d", i))
		ok := !have || t.Revision > hi.Revision || t.Revision == hi.Revision && t.Nonce == hi.Nonce
		switch {
		case wr.accepted && !ok:
			k.fail(w, CheckFencing, "write #%d from %s under %s accepted after %s", i, wr.from, t, hi)
		case !wr.accepted && ok:
			k.fail(w, CheckFencing, "write #%d from %s under %s refused though it supersedes %s", i, wr.from, t, hi)
		}
		if wr.accepted {
			hi, have = t, true
		} else {
			w.res.Refused++
		}
	}
}
