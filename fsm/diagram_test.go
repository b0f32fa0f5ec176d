package fsm_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonhq/baton/fsm"
)

var update = flag.Bool("update", false, "rewrite ../docs/state-diagram.md from fsm.Election()")

// stateDiagramPath is docs/state-diagram.md, relative to this package.
var stateDiagramPath = filepath.Join("..", "docs", "state-diagram.md")

// doorTable is a small table with two events between the same pair of states
// and a terminal state, the cases Mermaid has to merge and close.
func doorTable() fsm.Table {
	return fsm.Table{
		Name:    "door",
		Initial: "closed",
		States:  []fsm.State{"closed", "open", "broken"},
		Events:  []fsm.Event{"push", "pull", "kick"},
		Rules: []fsm.Rule{
			{From: "closed", Event: "push", Outcome: fsm.Move, To: "open", Why: "pushed open"},
			{From: "closed", Event: "pull", Outcome: fsm.Move, To: "open", Why: "pulled open"},
			{From: "closed", Event: "kick", Outcome: fsm.Move, To: "broken", Why: "kicked in"},
			{From: "open", Event: "push", Outcome: fsm.Move, To: "closed", Why: "pushed shut"},
			{From: "open", Event: "pull", Outcome: fsm.Stay, Why: "already open"},
			{From: "open", Event: "kick", Outcome: fsm.Refuse, Why: "nothing to kick | no door"},
			{From: "broken", Event: "push", Outcome: fsm.Stay, Why: "nothing happens"},
			{From: "broken", Event: "pull", Outcome: fsm.Stay, Why: "nothing happens"},
			{From: "broken", Event: "kick", Outcome: fsm.Stay, Why: "nothing happens"},
		},
	}
}

func TestMermaid(t *testing.T) {
	want := `stateDiagram-v2
    [*] --> closed
    closed --> open: push / pull
    closed --> broken: kick
    open --> closed: push
    broken --> [*]
`
	if got := doorTable().Mermaid(); got != want {
		t.Errorf("Mermaid() =\n%s\nwant\n%s", got, want)
	}
}

func TestMarkdown(t *testing.T) {
	got := doorTable().Markdown()
	for _, row := range []string{
		"| `closed` | `push` | move | `open` | pushed open |\n",
		"| `open` | `pull` | stay |  | already open |\n",
		"| `open` | `kick` | refuse |  | nothing to kick \\| no door |\n",
	} {
		if !strings.Contains(got, row) {
			t.Errorf("Markdown() has no row %q:\n%s", row, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 2+9 {
		t.Errorf("Markdown() has %d lines, want a header, a separator and 9 rows:\n%s", n, got)
	}
}

func TestElectionMermaid(t *testing.T) {
	got := fsm.Election().Mermaid()
	for _, line := range []string{
		"    [*] --> starting\n",
		"    candidate --> leader: acquired\n",
		"    candidate --> follower: lost_race / leader_observed / breaker_open / unhealthy / child_failed\n",
		"    follower --> candidate: campaign\n",
		"    leader --> follower: unhealthy / child_failed / renew_conflict / lease_moved / reconnect_refuted / renew_deadline / disconnected / resign / hand_off\n",
		"    stopping --> stopped: stopped\n",
		"    stopped --> [*]\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("election diagram has no line %q:\n%s", line, got)
		}
	}
	if got != fsm.Election().Mermaid() {
		t.Error("Mermaid() differs between two calls on the same table")
	}
}

// stateDiagramDoc renders docs/state-diagram.md.
func stateDiagramDoc() string {
	tab := fsm.Election()
	var b strings.Builder
	b.WriteString("# Election state diagram\n\n")
	b.WriteString("<!-- Generated from fsm.Election() by `go test ./fsm -run TestStateDiagramIsCurrent -update`. Do not edit. -->\n\n")
	b.WriteString("Each election actor runs this machine. An arrow is a phase change, labelled with the events that cause it; ")
	b.WriteString("events not drawn from a phase are refused with `fsm.ErrRefused` (no row fires them there). ")
	b.WriteString("Every arrow out of `leader` ends the term: the row that fires it announces Demoted. ")
	b.WriteString("Below the diagram: the decision core's rows (fsm/core_rows.go), which pick the event for each input, ")
	b.WriteString("then every (phase, event) pair with its reason.\n\n")
	b.WriteString("```mermaid\n")
	b.WriteString(tab.Mermaid())
	b.WriteString("```\n\n")
	b.WriteString("## The decision core's rows, in the order they are tried\n\n")
	b.WriteString(rowsMarkdown(fsm.Rows()))
	b.WriteString("\n## Every phase and event\n\n")
	b.WriteString(tab.Markdown())
	role := fsm.RoleLifecycle()
	b.WriteString("\n## Role lifecycle\n\n")
	b.WriteString("Each role actor of a role manager runs this machine (fsm/role_rows.go, fsm.RoleStep) around its election: ")
	b.WriteString("a term's end is reported only once its work actors and child roles are gone.\n\n")
	b.WriteString("```mermaid\n")
	b.WriteString(role.Mermaid())
	b.WriteString("```\n\n")
	b.WriteString(rowsMarkdown(fsm.RoleRows()))
	keeper := fsm.SessionKeeper()
	b.WriteString("\n## Session keeper\n\n")
	b.WriteString("In session mode each store keeps one session key alive for all its leases, and runs this machine ")
	b.WriteString("(fsm/session_rows.go, fsm.SessionStep) to decide when to renew it, what proves it, when to give it up, ")
	b.WriteString("and what to do with the leases of elections that stopped without releasing them.\n\n")
	b.WriteString("```mermaid\n")
	b.WriteString(keeper.Mermaid())
	b.WriteString("```\n\n")
	b.WriteString(rowsMarkdown(fsm.SessionRows()))
	return b.String()
}

// rowsMarkdown lists rows as a Markdown table.
func rowsMarkdown(rows []fsm.RowDoc) string {
	var b strings.Builder
	b.WriteString("| phases | input | when | event | ends the term as |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		names := make([]string, len(r.Phases))
		for i, p := range r.Phases {
			names[i] = string(p)
		}
		when := r.When
		if when == "" {
			when = "otherwise"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", strings.Join(names, ", "), r.Input, when, r.Event, r.Reason)
	}
	return b.String()
}

func TestStateDiagramIsCurrent(t *testing.T) {
	want := stateDiagramDoc()
	if *update {
		if err := os.MkdirAll(filepath.Dir(stateDiagramPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(stateDiagramPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(stateDiagramPath)
	if err != nil {
		t.Fatalf("reading %s: %v; run go test ./fsm -run TestStateDiagramIsCurrent -update", stateDiagramPath, err)
	}
	if string(got) != want {
		t.Fatal("docs/state-diagram.md is stale; run go test ./fsm -run TestStateDiagramIsCurrent -update")
	}
}
