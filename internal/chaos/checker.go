package chaos

import (
	"fmt"

	"github.com/batonhq/baton/leadership"
)

// Checker names a property a run is checked against.
type Checker string

// The checkers.
const (
	// CheckFencing (F1): no write under a superseded token is accepted, and
	// no superseding write is refused. It re-derives every decision of the
	// resource from the fencing rule, independently of Token.Supersedes.
	CheckFencing Checker = "F1"
	// CheckOneHolder (F2): each term (token revision) belongs to one holder:
	// a revision is never seen with two nonces or from two candidates, and a
	// candidate only ever writes or reports its own tokens.
	CheckOneHolder Checker = "F2"
	// CheckLiveness (L): after a fault heals, exactly one candidate leads,
	// and its writes are accepted, within Timing.LivenessBound.
	CheckLiveness Checker = "L"
	// CheckEffect (E): the fault had the effect its class must have (a
	// leader change, a demotion, a reconnection, a slower link...). A fault
	// that changed nothing fails the run.
	CheckEffect Checker = "E"
	// CheckProcess (X): no candidate process died that the harness did not
	// kill, and every candidate stopped cleanly when asked to.
	CheckProcess Checker = "X"
)

// Violation is one failed check.
type Violation struct {
	Checker Checker
	// Fault is the fault being checked, "" for checks over the whole run.
	Fault Class
	// Detail says what was seen.
	Detail string
}

func (v Violation) String() string {
	if v.Fault == "" {
		return fmt.Sprintf("%s: %s", v.Checker, v.Detail)
	}
	return fmt.Sprintf("%s [%s]: %s", v.Checker, v.Fault, v.Detail)
}

// checkFencing replays the resource's decisions, in arrival order, against
// the fencing rule of the architecture: accept a token whose revision is
// greater than the highest accepted, or equal with the same nonce.
func checkFencing(writes []write) []Violation {
	var hi leadership.Token
	have := false
	var out []Violation
	for _, w := range writes {
		if w.ParseErr != "" {
			if w.Accepted {
				out = append(out, Violation{Checker: CheckFencing, Detail: fmt.Sprintf("write #%d from %s with malformed token %q was accepted", w.Seq, w.Candidate, w.Raw)})
			}
			continue
		}
		ok := !have || w.Token.Role == hi.Role &&
			(w.Token.Revision > hi.Revision || w.Token.Revision == hi.Revision && w.Token.Nonce == hi.Nonce)
		switch {
		case w.Accepted && !ok:
			out = append(out, Violation{Checker: CheckFencing, Detail: fmt.Sprintf(
				"write #%d from %s under %s was accepted after %s had been accepted", w.Seq, w.Candidate, w.Token, hi)})
		case !w.Accepted && ok:
			out = append(out, Violation{Checker: CheckFencing, Detail: fmt.Sprintf(
				"write #%d from %s under %s was refused though it supersedes %s", w.Seq, w.Candidate, w.Token, hi)})
		}
		if w.Accepted {
			hi, have = w.Token, true
		}
	}
	return out
}

// termOwner is the first sighting of a revision.
type termOwner struct {
	nonce, holder, where string
}

// holderCheck collects F2 evidence from writes and beacons.
type holderCheck struct {
	byRev    map[uint64]termOwner
	reported map[string]bool // one violation per distinct problem
	out      []Violation
}

// checkOneHolder checks that every revision seen, in writes and in status
// reports, belongs to one (nonce, holder), and that holder is the candidate
// that used it. Revisions are only reused after a whole-cluster crash that
// loses acknowledged data, which no fault class here causes.
func checkOneHolder(l ledger) []Violation {
	c := &holderCheck{byRev: make(map[uint64]termOwner), reported: make(map[string]bool)}
	for _, w := range l.writes {
		c.see(w.Raw, w.Candidate, fmt.Sprintf("write #%d", w.Seq))
	}
	for _, b := range l.beacons {
		for _, raw := range []string{b.Token, b.Term} {
			if raw != "" {
				c.see(raw, b.Candidate, "status report at "+b.At.Format("15:04:05.000"))
			}
		}
	}
	return c.out
}

func (c *holderCheck) see(raw, sender, where string) {
	tok, err := leadership.ParseToken(raw)
	switch {
	case err != nil:
		c.report("malformed:"+raw, fmt.Sprintf("%s from %s carries a malformed token: %v", where, sender, err))
		return
	case tok.Holder != sender:
		c.report("foreign:"+sender+raw, fmt.Sprintf("%s from %s carries token %s of holder %s", where, sender, tok, tok.Holder))
	}
	first, ok := c.byRev[tok.Revision]
	if !ok {
		c.byRev[tok.Revision] = termOwner{nonce: tok.Nonce, holder: sender, where: where + " from " + sender}
		return
	}
	if first.nonce != tok.Nonce || first.holder != sender {
		c.report(fmt.Sprintf("rev:%d:%s:%s", tok.Revision, sender, tok.Nonce), fmt.Sprintf(
			"revision %d held twice: nonce %s by %s (%s), and nonce %s by %s (%s)",
			tok.Revision, first.nonce, first.holder, first.where, tok.Nonce, sender, where))
	}
}

func (c *holderCheck) report(key, detail string) {
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	c.out = append(c.out, Violation{Checker: CheckOneHolder, Detail: detail})
}
