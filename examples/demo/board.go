package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/batonhq/baton/leadership"
)

// roleView is what the demo knows of one role, from the Promoted and
// Demoted messages of every candidate.
type roleView struct {
	leader string           // instance leading, "" when none
	token  leadership.Token // its term
	since  time.Time        // when the role got its current leader, or lost it
}

// failover is one measured change of leader after a fault.
type failover struct {
	role, victim, successor string
	kind                    faultKind
	term                    uint64
	// took is from the fault to the successor's Promoted.
	took time.Duration
	// demoted is from the fault to the victim's Demoted (zero if it never
	// came).
	demoted time.Duration
}

// board keeps the roles' state and the failovers measured, and writes the
// event log. It is used only from run's goroutine.
type board struct {
	start     time.Time
	roles     map[string]*roleView
	fault     *fault // the fault in progress, if any
	failovers []failover
	overlaps  int
	log       *eventLog
}

// newBoard returns an empty board writing to log.
func newBoard(start time.Time, log *eventLog) *board {
	b := &board{start: start, roles: make(map[string]*roleView, len(roles)), log: log}
	for _, role := range roles {
		b.roles[role] = &roleView{since: start}
	}
	return b
}

// observe applies one election message.
func (b *board) observe(ev event) {
	switch m := ev.msg.(type) {
	case *leadership.Promoted:
		b.promoted(ev.at, m)
	case *leadership.Demoted:
		b.demoted(ev.at, m)
	}
}

// promoted records a new leader, and the failover it ends if a fault is in
// progress. A promotion while another candidate has not yet demoted would
// mean two leaders at once: the demo counts and flags it.
func (b *board) promoted(at time.Time, m *leadership.Promoted) {
	rv := b.roles[m.Role]
	if rv == nil {
		return
	}
	if rv.leader != "" && rv.leader != m.InstanceID {
		b.overlaps++
		b.log.add(at, m.Role, fmt.Sprintf("WARNING: %s promoted while %s has not demoted", m.InstanceID, rv.leader))
	}
	rv.leader, rv.token, rv.since = m.InstanceID, m.Token, at
	text := fmt.Sprintf("%s promoted, term %d", m.InstanceID, m.Token.Revision)
	if f := b.fault; f != nil {
		if fr := f.roles[m.Role]; fr != nil && !fr.done {
			fr.done = true
			fo := failover{
				role: m.Role, victim: f.victim.name, successor: m.InstanceID, kind: f.kind,
				term: m.Token.Revision, took: at.Sub(f.at), demoted: fr.demoted,
			}
			b.failovers = append(b.failovers, fo)
			text += fmt.Sprintf(": failover %s after %s of %s", fmtDur(fo.took), f.kind, f.victim.name)
		}
	}
	b.log.add(at, m.Role, text)
}

// demoted records the end of a term, and when the victim of a fault gave up.
func (b *board) demoted(at time.Time, m *leadership.Demoted) {
	rv := b.roles[m.Role]
	if rv == nil {
		return
	}
	if rv.leader == m.InstanceID {
		rv.leader, rv.token, rv.since = "", leadership.Token{}, at
	}
	text := fmt.Sprintf("%s demoted: %s", m.InstanceID, m.Reason)
	if f := b.fault; f != nil && f.victim.name == m.InstanceID {
		if fr := f.roles[m.Role]; fr != nil && fr.demoted == 0 {
			fr.demoted = at.Sub(f.at)
			text += fmt.Sprintf(" (%s after the %s)", fmtDur(fr.demoted), f.kind)
		}
	}
	b.log.add(at, m.Role, text)
}

// summary describes the failovers measured, per kind of fault.
func (b *board) summary(now time.Time, faults int) []string {
	lines := []string{fmt.Sprintf("summary after %s: faults %d, failovers measured %d, overlapping leaders: %d",
		fmtDur(now.Sub(b.start).Round(100*time.Millisecond)), faults, len(b.failovers), b.overlaps)}
	for _, kind := range []faultKind{faultKill, faultStop} {
		var took, demoted []time.Duration
		for _, fo := range b.failovers {
			if fo.kind == kind {
				took = append(took, fo.took)
				if fo.demoted > 0 {
					demoted = append(demoted, fo.demoted)
				}
			}
		}
		if len(took) == 0 {
			continue
		}
		line := fmt.Sprintf("  %s: %d failover(s), fault to successor's promotion %s", kind, len(took), spread(took))
		if kind == faultKill && len(demoted) > 0 {
			line += fmt.Sprintf("; the cut-off leader demoted itself after %s", spread(demoted))
		}
		lines = append(lines, line)
	}
	return lines
}

// spread formats min, median and max.
func spread(ds []time.Duration) string {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	if len(ds) == 1 {
		return fmtDur(ds[0])
	}
	return fmt.Sprintf("min %s, median %s, max %s", fmtDur(ds[0]), fmtDur(ds[len(ds)/2]), fmtDur(ds[len(ds)-1]))
}

// fmtDur rounds d for reading: milliseconds above a second, tenths of a
// millisecond above a millisecond.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}

// joinOr joins names, or returns none when there are none.
func joinOr(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return strings.Join(names, ", ")
}
