package leadership

import "github.com/batonhq/baton/fsm"

// roleTerms are the election's reports of the terms a role has not yet
// reported over. There is one at a time as a rule (two while a term ends
// as the next begins), so a slice searched in order costs less than a map.
type roleTerms []*Promoted

// get returns the report of term t, nil when there is none.
func (ts roleTerms) get(t fsm.RoleTerm) *Promoted {
	for _, p := range ts {
		if roleTerm(p.Token) == t {
			return p
		}
	}
	return nil
}

// put keeps p, in place of an earlier report of its term.
func (ts *roleTerms) put(p *Promoted) {
	t := roleTerm(p.Token)
	for i, q := range *ts {
		if roleTerm(q.Token) == t {
			(*ts)[i] = p
			return
		}
	}
	*ts = append(*ts, p)
}

// drop forgets the report of term t.
func (ts *roleTerms) drop(t fsm.RoleTerm) {
	for i, p := range *ts {
		if roleTerm(p.Token) == t {
			*ts = append((*ts)[:i], (*ts)[i+1:]...)
			return
		}
	}
}
