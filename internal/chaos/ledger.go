package chaos

import (
	"slices"
	"time"

	"github.com/batonhq/baton/leadership"
)

// write is one fenced write as the resource decided it.
type write struct {
	Seq       int // arrival (and decision) order
	Candidate string
	Raw       string           // the token as sent
	Token     leadership.Token // parsed; zero when ParseErr is set
	ParseErr  string
	At        time.Time
	Accepted  bool
}

// report is one beacon with its arrival time.
type report struct {
	beacon
	At time.Time
}

// believes reports whether the candidate acted as leader when it sent this.
func (r report) believes() bool { return r.Leading || r.Term != "" }

// ledger is a snapshot of what the resource recorded, in arrival order.
type ledger struct {
	writes  []write
	beacons []report
	// losses are when the servers crashed and lost acknowledged writes.
	losses []time.Time
	// resets are the write counts at which the record was reset.
	resets []int
}

// beaconsOf returns the beacons of candidate that arrived in [from, to].
func (l ledger) beaconsOf(candidate string, from, to time.Time) []report {
	var out []report
	for _, b := range l.beacons {
		if b.Candidate == candidate && !b.At.Before(from) && !b.At.After(to) {
			out = append(out, b)
		}
	}
	return out
}

// demoted reports whether candidate reported not acting as leader in a
// beacon that arrived in [from, to].
func (l ledger) demoted(candidate string, from, to time.Time) bool {
	return slices.ContainsFunc(l.beaconsOf(candidate, from, to), func(b report) bool { return !b.believes() })
}

// lastBeaconBefore returns candidate's latest beacon that arrived before t.
func (l ledger) lastBeaconBefore(candidate string, t time.Time) (report, bool) {
	for i := len(l.beacons) - 1; i >= 0; i-- {
		if b := l.beacons[i]; b.Candidate == candidate && b.At.Before(t) {
			return b, true
		}
	}
	return report{}, false
}

// writesIn returns the writes that arrived in [from, to].
func (l ledger) writesIn(from, to time.Time) []write {
	var out []write
	for _, w := range l.writes {
		if !w.At.Before(from) && !w.At.After(to) {
			out = append(out, w)
		}
	}
	return out
}

// firstNewTerm returns the first accepted write that arrived in [from, to]
// under a term later than prev, from a candidate other than exclude (when
// exclude is set).
func (l ledger) firstNewTerm(from, to time.Time, prev leadership.Token, exclude string) (write, bool) {
	for _, w := range l.writesIn(from, to) {
		if w.Accepted && w.Token.Revision > prev.Revision && (exclude == "" || w.Candidate != exclude) {
			return w, true
		}
	}
	return write{}, false
}

// firstWriteOf returns candidate's first accepted write that arrived in
// [from, to] under a term later than prev.
func (l ledger) firstWriteOf(candidate string, from, to time.Time, prev leadership.Token) (write, bool) {
	for _, w := range l.writesIn(from, to) {
		if w.Accepted && w.Candidate == candidate && w.Token.Revision > prev.Revision {
			return w, true
		}
	}
	return write{}, false
}

// rejectedIn counts the writes refused in [from, to].
func (l ledger) rejectedIn(from, to time.Time) int {
	n := 0
	for _, w := range l.writesIn(from, to) {
		if !w.Accepted {
			n++
		}
	}
	return n
}

// acceptedTerms returns the distinct accepted tokens in the order they were
// first accepted.
func (l ledger) acceptedTerms(from, to time.Time) []leadership.Token {
	seen := make(map[leadership.Token]bool)
	var out []leadership.Token
	for _, w := range l.writesIn(from, to) {
		if w.Accepted && !seen[w.Token] {
			seen[w.Token] = true
			out = append(out, w.Token)
		}
	}
	return out
}

// counts returns how many writes were accepted and rejected in all.
func (l ledger) counts() (accepted, rejected int) {
	for _, w := range l.writes {
		if w.Accepted {
			accepted++
		} else {
			rejected++
		}
	}
	return accepted, rejected
}

// longestGap returns the longest time in [from, to] without an accepted
// write, counting from the last accepted write before from.
func (l ledger) longestGap(from, to time.Time) time.Duration {
	var prev time.Time
	var gap time.Duration
	for _, w := range l.writes {
		if !w.Accepted || w.At.After(to) {
			continue
		}
		if !prev.IsZero() && w.At.After(from) {
			gap = max(gap, w.At.Sub(prev))
		}
		prev = w.At
	}
	if !prev.IsZero() {
		gap = max(gap, to.Sub(prev))
	}
	return gap
}
