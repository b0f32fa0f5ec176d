package chaos

import (
	"fmt"
	"slices"
	"time"

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
// greater than the highest accepted, or equal with the same nonce. resets
// are the write counts at which the resource's record was reset (after a
// crash that lost acknowledged writes); the replay forgets its highest
// token there too.
func checkFencing(writes []write, resets []int) []Violation {
	var hi leadership.Token
	have := false
	var out []Violation
	for i, w := range writes {
		if slices.Contains(resets, i) {
			hi, have = leadership.Token{}, false
		}
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

// termOwner is the first sighting of a token.
type termOwner struct {
	nonce, holder, where string
	at                   time.Time
}

// holderCheck collects F2 evidence from writes and beacons.
type holderCheck struct {
	byRev    map[uint64][]termOwner // the distinct tokens seen per revision
	losses   []time.Time            // whole-cluster crashes that lost acknowledged writes
	reported map[string]bool        // one violation per distinct problem
	out      []Violation
	reused   []string // revisions legitimately held twice, across a loss
}

// checkOneHolder checks that every token seen, in writes and in status
// reports, belongs to one holder, the candidate that used it, and that a
// revision belongs to one token (one nonce). The only exception is the
// guarantee that remains when the servers lose acknowledged writes (the
// ledger's losses): a revision may then be held again after the crash, by
// a token with another nonce. It returns the violations and a line per
// revision so reused.
func checkOneHolder(l ledger) ([]Violation, []string) {
	c := &holderCheck{byRev: make(map[uint64][]termOwner), losses: l.losses, reported: make(map[string]bool)}
	type sighting struct {
		raw, sender, where string
		at                 time.Time
	}
	var all []sighting
	for _, w := range l.writes {
		all = append(all, sighting{w.Raw, w.Candidate, fmt.Sprintf("write #%d", w.Seq), w.At})
	}
	for _, b := range l.beacons {
		for _, raw := range []string{b.Token, b.Term} {
			if raw != "" {
				all = append(all, sighting{raw, b.Candidate, "status report at " + b.At.Format("15:04:05.000"), b.At})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b sighting) int { return a.at.Compare(b.at) })
	for _, s := range all {
		c.see(s.raw, s.sender, s.where, s.at)
	}
	return c.out, c.reused
}

// lostBetween reports whether a crash that lost acknowledged writes
// happened in (from, to].
func (c *holderCheck) lostBetween(from, to time.Time) bool {
	return slices.ContainsFunc(c.losses, func(t time.Time) bool { return t.After(from) && !t.After(to) })
}

func (c *holderCheck) see(raw, sender, where string, at time.Time) {
	tok, err := leadership.ParseToken(raw)
	switch {
	case err != nil:
		c.report("malformed:"+raw, fmt.Sprintf("%s from %s carries a malformed token: %v", where, sender, err))
		return
	case tok.Holder != sender:
		c.report("foreign:"+sender+raw, fmt.Sprintf("%s from %s carries token %s of holder %s", where, sender, tok, tok.Holder))
	}
	owners := c.byRev[tok.Revision]
	for _, o := range owners {
		if o.nonce != tok.Nonce {
			continue
		}
		if o.holder != sender {
			c.report(fmt.Sprintf("token:%d:%s:%s", tok.Revision, sender, tok.Nonce), fmt.Sprintf(
				"token %s held by two candidates: %s (%s) and %s (%s)", tok, o.holder, o.where, sender, where))
		}
		return
	}
	this := termOwner{nonce: tok.Nonce, holder: sender, where: where + " from " + sender, at: at}
	c.byRev[tok.Revision] = append(owners, this)
	if len(owners) == 0 {
		return
	}
	last := owners[len(owners)-1]
	if c.lostBetween(last.at, at) {
		c.reused = append(c.reused, fmt.Sprintf("revision %d: nonce %s by %s before the crash, nonce %s by %s after",
			tok.Revision, last.nonce, last.holder, tok.Nonce, sender))
		return
	}
	c.report(fmt.Sprintf("rev:%d:%s:%s", tok.Revision, sender, tok.Nonce), fmt.Sprintf(
		"revision %d held twice: nonce %s by %s (%s), and nonce %s by %s (%s)",
		tok.Revision, last.nonce, last.holder, last.where, tok.Nonce, sender, where))
}

func (c *holderCheck) report(key, detail string) {
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	c.out = append(c.out, Violation{Checker: CheckOneHolder, Detail: detail})
}
