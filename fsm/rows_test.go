package fsm

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestEnginesAreValid checks the rows of every table against it, the check
// Step, RoleStep and SessionStep rely on instead of returning an error.
func TestEnginesAreValid(t *testing.T) {
	if _, err := electionEngine(); err != nil {
		t.Errorf("election rows: %v", err)
	}
	if _, err := roleEngine(); err != nil {
		t.Errorf("role rows: %v", err)
	}
	if _, err := sessionEngine(); err != nil {
		t.Errorf("session rows: %v", err)
	}
}

// TestNewEngineRejects breaks the role rows one way at a time: each must be
// an error wrapping ErrInvalidTable that names the table and the fault.
func TestNewEngineRejects(t *testing.T) {
	type roleRow = row[*roleStep, RoleInputKind]
	i, c := RoleInactive, RoleCampaigning
	tests := []struct {
		name  string
		table func() Table
		rows  func(rows []roleRow) []roleRow
		want  string
	}{
		{
			name:  "invalid table",
			table: func() Table { t := RoleLifecycle(); t.Initial = "nowhere"; return t },
			want:  `initial state "nowhere"`,
		},
		{
			name: "row without an action",
			rows: func(rows []roleRow) []roleRow {
				return append([]roleRow{{on: in(i), input: RoleInStart}}, rows...)
			},
			want: "row 0 (start): no action",
		},
		{
			name: "row on a phase the table does not list",
			rows: func(rows []roleRow) []roleRow {
				return append([]roleRow{{on: in("nowhere"), input: RoleInStart, do: roleIgnore}}, rows...)
			},
			want: `row 0 (start) is on "nowhere"`,
		},
		{
			name: "row for an unknown input",
			rows: func(rows []roleRow) []roleRow {
				return append([]roleRow{{on: in(i), input: lastRoleInput + 1, do: roleIgnore}}, rows...)
			},
			want: "row 0: unknown input",
		},
		{
			name: "row firing an event the table does not move",
			rows: func(rows []roleRow) []roleRow {
				return append([]roleRow{{on: in(i), input: RoleInFinish, event: EvRoleEnded, do: roleIgnore}}, rows...)
			},
			want: `row 0 fires "ended" in "inactive"`,
		},
		{
			name: "pair left without a row that always applies",
			rows: func(rows []roleRow) []roleRow {
				return slices.DeleteFunc(rows, func(r roleRow) bool {
					return r.input == RoleInStart && r.guard == nil && slices.Contains(r.on, c)
				})
			},
			want: "no row without a guard for input start in phase campaigning",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, rows := RoleLifecycle(), roleRows()
			if tt.table != nil {
				table = tt.table()
			}
			if tt.rows != nil {
				rows = tt.rows(rows)
			}
			_, err := newEngine(table, rows, lastRoleInput)
			if !errors.Is(err, ErrInvalidTable) {
				t.Fatalf("newEngine() = %v, want an error wrapping ErrInvalidTable", err)
			}
			if msg := err.Error(); !strings.Contains(msg, `"role"`) || !strings.Contains(msg, tt.want) {
				t.Errorf("newEngine() = %q, want it to name the table and %q", msg, tt.want)
			}
		})
	}
}
