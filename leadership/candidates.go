package leadership

import (
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// Candidate is one live candidate of a role, from the candidate registry:
// its InstanceID, Priority and Joined, the bucket revision at which it
// registered (a smaller one joined earlier). Every election registers
// itself in the lease bucket (under a namespace no role can use) and keeps
// its entry alive with a per-key TTL of Config.TTL, rewritten every TTL/3:
// 3/TTL writes per second per candidate, 0.3 with the default TTL. The
// entry is deleted when the election stops and lapses within a TTL when it
// crashes. Lists of candidates are shared: do not modify them.
type Candidate = transport.Candidate

// GetCandidates asks the election actor for the role's live candidates;
// it replies with *CandidateList.
type GetCandidates struct{}

// CandidateList answers GetCandidates: the live candidates in the order of
// succession (priority, highest first, then the longest registered).
type CandidateList struct {
	Role       string
	Candidates []Candidate
}

// candidatesChanged is the registry's new order, from the registry child.
type candidatesChanged struct{ order []transport.Candidate }

// rankedOf is the registry's order as the decision core reads it: its
// first names only. The core keeps fsm.OrderLength of them and ranks us
// against the first other than us, which is among the first two; handing it
// the whole order cost a role of 1,000 candidates a million entries per
// change, one order per candidate (most of the CPU of its handovers).
func rankedOf(order []transport.Candidate) []fsm.Ranked {
	order = order[:min(len(order), fsm.OrderLength+1)]
	ranked := make([]fsm.Ranked, len(order))
	for i, c := range order {
		ranked[i] = fsm.Ranked{ID: c.InstanceID, Priority: c.Priority}
	}
	return ranked
}

// live reports whether id is a live candidate, as the registry last said.
func (a *electionActor) live(id string) bool {
	for _, c := range a.candidates {
		if c.InstanceID == id {
			return true
		}
	}
	return false
}
