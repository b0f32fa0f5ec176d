package fsm

import (
	"fmt"
	"strings"
)

// Mermaid returns a Mermaid stateDiagram-v2 of the table's Move rules. The
// text depends only on the table, so it can be compared with a committed file.
//
// Edges appear in the order of States, then of Events; several events moving
// between the same two states share one edge labelled "a / b". The initial
// state gets an edge from [*], and every state with no Move out of it (a
// terminal state such as stopped) gets an edge to [*].
func (t Table) Mermaid() string {
	type edge struct{ from, to State }
	var order []edge
	labels := make(map[edge][]string)
	hasExit := make(map[State]bool)
	for _, s := range t.States {
		for _, ev := range t.Events {
			r, ok := t.Lookup(s, ev)
			if !ok || r.Outcome != Move {
				continue
			}
			e := edge{s, r.To}
			if _, seen := labels[e]; !seen {
				order = append(order, e)
			}
			labels[e] = append(labels[e], string(ev))
			hasExit[s] = true
		}
	}

	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", t.Initial)
	for _, e := range order {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", e.from, e.to, strings.Join(labels[e], " / "))
	}
	for _, s := range t.States {
		if !hasExit[s] {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}

// Markdown returns a Markdown table with one row per (state, event) pair, in
// the order of States, then of Events, giving the outcome, the target of a
// Move and the rule's reason. It documents the Stay and Refuse rules that the
// diagram leaves out.
func (t Table) Markdown() string {
	var b strings.Builder
	b.WriteString("| state | event | outcome | to | why |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, s := range t.States {
		for _, ev := range t.Events {
			r, ok := t.Lookup(s, ev)
			if !ok {
				continue
			}
			to := ""
			if r.Outcome == Move {
				to = "`" + string(r.To) + "`"
			}
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", s, ev, r.Outcome, to, strings.ReplaceAll(r.Why, "|", `\|`))
		}
	}
	return b.String()
}
