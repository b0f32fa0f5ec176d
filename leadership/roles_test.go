package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

func TestRoleSpecsAreValidatedAsAWhole(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := connect(t, srv.URL())
	spec := func(role, parent string) leadership.RoleSpec {
		return leadership.RoleSpec{Role: role, Parent: parent, Config: roleConfig(nc, nil)}
	}
	badTTL := spec("slow", "")
	badTTL.Config.TTL = 1500 * time.Millisecond
	noConn := spec("lonely", "")
	noConn.Config.Conn = nil
	otherRole := spec("named", "")
	otherRole.Config.Role = "other"
	otherInstance := spec("owned", "")
	otherInstance.Config.InstanceID = "b"
	negative := spec("touchy", "")
	negative.ResignAfterWorkFailures = -1
	nilWork := spec("idle", "")
	nilWork.Work = []leadership.WorkFunc{nil}

	cases := []struct {
		name  string
		specs []leadership.RoleSpec
		want  []string // all in the error message
	}{
		{"no roles", nil, []string{"at least one RoleSpec"}},
		{"empty role", []leadership.RoleSpec{spec("", "")}, []string{"RoleSpec 0", "Role is required"}},
		{"invalid role name", []leadership.RoleSpec{spec("bad name", "")}, []string{`"bad name"`, "Role"}},
		{"duplicate", []leadership.RoleSpec{spec("dup", ""), spec("dup", "")}, []string{`role "dup"`, "declared twice"}},
		{"unknown parent", []leadership.RoleSpec{spec("kid", "ghost")}, []string{`role "kid"`, `parent "ghost"`}},
		{"own parent", []leadership.RoleSpec{spec("self", "self")}, []string{`role "self"`, "loop", "self -> self"}},
		{"loop", []leadership.RoleSpec{spec("top", ""), spec("x", "y"), spec("y", "x")}, []string{`role "x"`, "loop", "x -> y -> x"}},
		{"bad config", []leadership.RoleSpec{badTTL}, []string{`role "slow"`, "TTL"}},
		{"no connection", []leadership.RoleSpec{noConn}, []string{`role "lonely"`, "Conn"}},
		{"config names another role", []leadership.RoleSpec{otherRole}, []string{`role "named"`, `Config.Role "other"`}},
		{"config names another instance", []leadership.RoleSpec{otherInstance}, []string{`role "owned"`, `Config.InstanceID "b"`}},
		{"negative resign limit", []leadership.RoleSpec{negative}, []string{`role "touchy"`, "ResignAfterWorkFailures"}},
		{"nil work", []leadership.RoleSpec{nilWork}, []string{`role "idle"`, "Work[0]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := leadership.NewRoleManagerProps("a", tc.specs...)
			if !errors.Is(err, leadership.ErrInvalidConfig) {
				t.Fatalf("NewRoleManagerProps: %v, want ErrInvalidConfig", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if _, ferr := leadership.NewRoleManager(newSystem(t), "a", tc.specs...); !errors.Is(ferr, leadership.ErrInvalidConfig) {
				t.Errorf("NewRoleManager: %v, want ErrInvalidConfig", ferr)
			}
		})
	}
	if _, err := leadership.NewRoleManager(nil, "a", spec("r", "")); !errors.Is(err, leadership.ErrInvalidConfig) {
		t.Fatalf("NewRoleManager without a system: %v, want ErrInvalidConfig", err)
	}
	if _, err := leadership.NewRoleManagerProps("a", spec("r", ""), spec("r/x", "r"), spec("r/x/y", "r/x")); err != nil {
		t.Fatalf("a valid three-level hierarchy was refused: %v", err)
	}
}

func TestRoleManagerFacadeStatus(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := connect(t, srv.URL())
	promoted := make(chan string, 8)
	demoted := make(chan string, 8)
	spec := func(role, parent string) leadership.RoleSpec {
		return leadership.RoleSpec{
			Role: role, Parent: parent, Config: roleConfig(nc, nil),
			OnPromote: func(context.Context, leadership.Token) { promoted <- role },
			OnDemote:  func(context.Context, leadership.DemoteReason) { demoted <- role },
		}
	}
	m, err := leadership.NewRoleManager(newSystem(t), "a", spec("alpha", ""), spec("beta", ""), spec("alpha/child", "alpha"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Stop(context.Background()); !errors.Is(err, leadership.ErrNotStarted) {
		t.Fatalf("Stop before Start: %v, want ErrNotStarted", err)
	}
	if st := m.Status(); st.InstanceID != "a" || len(st.Roles) != 3 || st.Roles["alpha"].State != "inactive" {
		t.Fatalf("status before Start: %+v; want three inactive roles of instance a", st)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = m.Stop(context.Background()) })
	if err := m.Start(context.Background()); !errors.Is(err, leadership.ErrAlreadyStarted) {
		t.Fatalf("second Start: %v, want ErrAlreadyStarted", err)
	}
	awaitRoles(t, promoted, "OnPromote", 3)

	st := m.Status()
	parents := map[string]string{"alpha": "", "beta": "", "alpha/child": "alpha"}
	for role, parent := range parents {
		rs := st.Roles[role]
		if !rs.Active || !m.IsLeader(role) || rs.Parent != parent || rs.Lease.Token.IsZero() || rs.State != "leader" {
			t.Fatalf("role %s: %+v; want active leader with parent %q", role, rs, parent)
		}
	}
	if m.IsLeader("nope") {
		t.Fatal(`IsLeader("nope") = true for an undeclared role`)
	}

	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// Stop returns after every OnDemote returned, so all three are in.
	if n := len(demoted); n != 3 {
		t.Fatalf("Stop returned after %d of 3 OnDemote callbacks", n)
	}
	st = m.Status()
	for role := range parents {
		if rs := st.Roles[role]; rs.Active || m.IsLeader(role) {
			t.Fatalf("role %s after Stop: %+v; want inactive", role, rs)
		}
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

// awaitRoles takes n role names from ch, which the callbacks named what
// fill.
func awaitRoles(t *testing.T, ch chan string, what string, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-ch:
		case <-time.After(wait):
			t.Fatalf("waited %v for %s %d of %d", wait, what, i+1, n)
		}
	}
}

func TestRoleManagerStartFailsWithoutJetStream(t *testing.T) {
	noJS := natstest.RunServerWithOptions(t, natstest.Options{JetStream: false})
	system := newSystem(t)
	m, err := leadership.NewRoleManager(system, "a", leadership.RoleSpec{Role: "r", Config: roleConfig(connect(t, noJS.URL()), nil)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); !errors.Is(err, leadership.ErrNoJetStream) {
		t.Fatalf("Start on a server without JetStream: %v, want ErrNoJetStream", err)
	}
	// A failed Start stopped the manager: its role is inactive again.
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop after a failed Start: %v", err)
	}
	if st := m.Status().Roles["r"]; st.Active {
		t.Fatalf("status after a failed Start: %+v; want inactive", st)
	}
}

func TestRoleManagerStopGivesUpWhenContextEnds(t *testing.T) {
	srv := natstest.RunServer(t)
	release := make(chan struct{})
	promoted := make(chan string, 1)
	m, err := leadership.NewRoleManager(newSystem(t), "a", leadership.RoleSpec{
		Role:   "stuck",
		Config: roleConfig(connect(t, srv.URL()), nil),
		// A callback that ignores its context holds the ordered stop.
		OnPromote: func(context.Context, leadership.Token) { promoted <- "stuck"; <-release },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	awaitRoles(t, promoted, "OnPromote", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := m.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop with a callback that never returns: %v, want DeadlineExceeded", err)
	}
	close(release)
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop once the callback returned: %v", err)
	}
	if m.IsLeader("stuck") {
		t.Fatal("still leading after Stop")
	}
}

// A manager runs a role hierarchy: the child role campaigns only while its
// parent is led here, and its term ends first.
func ExampleNewRoleManager() {
	srv, nc := exampleServer()
	defer srv.Shutdown()
	defer nc.Close()
	system := quietSystem()
	defer system.Shutdown()

	compacting := make(chan struct{})
	m, err := leadership.NewRoleManager(system, "node-1",
		leadership.RoleSpec{
			Role:     "region-eu",
			Config:   leadership.Config{Conn: nc},
			OnDemote: func(_ context.Context, r leadership.DemoteReason) { fmt.Println("region-eu demoted:", r) },
		},
		leadership.RoleSpec{
			Role:   "region-eu/compactor",
			Parent: "region-eu",
			Config: leadership.Config{Conn: nc},
			OnPromote: func(_ context.Context, t leadership.Token) {
				fmt.Println("compacting under", t.Holder)
				close(compacting)
			},
			OnDemote: func(_ context.Context, r leadership.DemoteReason) { fmt.Println("region-eu/compactor demoted:", r) },
		},
	)
	if err != nil {
		panic(err)
	}
	if err := m.Start(context.Background()); err != nil {
		panic(err)
	}
	<-compacting
	fmt.Println("leads region-eu:", m.IsLeader("region-eu"))
	if err := m.Stop(context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// compacting under node-1
	// leads region-eu: true
	// region-eu/compactor demoted: stopped
	// region-eu demoted: stopped
}
