package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ANSI sequences for redrawing in place.
const (
	ansiClear      = "\x1b[2J"
	ansiHome       = "\x1b[H"
	ansiClearLine  = "\x1b[K"
	ansiClearBelow = "\x1b[J"
	ansiHideCursor = "\x1b[?25l"
	ansiShowCursor = "\x1b[?25h"
)

// tableRefresh is how often the table is redrawn when nothing happens, so
// its clocks move.
const tableRefresh = 250 * time.Millisecond

// table draws the demo's state in place on a terminal.
type table struct {
	out        io.Writer
	header     string
	candidates []*candidate
	board      *board
	log        *eventLog
	every      time.Duration
	width      int
}

// begin clears the screen and hides the cursor.
func (t *table) begin() { fmt.Fprint(t.out, ansiClear+ansiHideCursor) }

// end shows the cursor again below the last frame.
func (t *table) end() { fmt.Fprint(t.out, ansiShowCursor) }

// draw redraws the whole table over the previous frame.
func (t *table) draw(now, nextFault time.Time, faults int) {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString(truncate(fmt.Sprintf(format, args...), t.width-1))
		b.WriteString(ansiClearLine + "\n")
	}
	b.WriteString(ansiHome)
	line("%s   up %s", t.header, now.Sub(t.board.start).Round(100*time.Millisecond))
	line("")
	line("%-12s %-10s %-6s %-9s %-10s %s", "ROLE", "LEADER", "TERM", "FOR", "FAILOVERS", "LAST FAILOVER")
	for _, role := range roles {
		rv := t.board.roles[role]
		leader, term := "(none)", ""
		if rv.leader != "" {
			leader, term = rv.leader, fmt.Sprint(rv.token.Revision)
		}
		count, last := 0, "-"
		for _, fo := range t.board.failovers {
			if fo.role == role {
				count++
				last = fmt.Sprintf("%s after %s of %s", fmtDur(fo.took), fo.kind, fo.victim)
			}
		}
		line("%-12s %-10s %-6s %-9s %-10d %s", role, leader, term, now.Sub(rv.since).Round(100*time.Millisecond), count, last)
	}
	line("")
	head := fmt.Sprintf("%-12s %-8s", "CANDIDATE", "LINK")
	for _, role := range roles {
		head += fmt.Sprintf(" %-14s", strings.ToUpper(role))
	}
	line("%s", head)
	for _, c := range t.candidates {
		link := "ok"
		if c.cut {
			link = "CUT"
		}
		row := fmt.Sprintf("%-12s %-8s", c.name, link)
		for _, role := range roles {
			row += fmt.Sprintf(" %-14s", cell(c, role))
		}
		line("%s", row)
	}
	line("")
	line("%s", t.schedule(now, nextFault))
	line("faults %d, failovers %d, overlapping leaders %d   keys: k kill leader, s stop leader, q quit (Ctrl-C quits too)",
		faults, len(t.board.failovers), t.board.overlaps)
	line("")
	for _, l := range t.log.recent {
		line("%s", l)
	}
	b.WriteString(ansiClearBelow)
	fmt.Fprint(t.out, b.String())
}

// schedule describes the next scheduled fault.
func (t *table) schedule(now, next time.Time) string {
	if t.every == 0 {
		return "scheduled faults off"
	}
	return fmt.Sprintf("a fault every %v, alternating kill and stop; next in %s", t.every, max(next.Sub(now), 0).Round(100*time.Millisecond))
}

// cell is a candidate's state in one role, as the table shows it.
func cell(c *candidate, role string) string { return c.view.state(role) }

// truncate cuts s to at most width runes.
func truncate(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	return string([]rune(s)[:width])
}
