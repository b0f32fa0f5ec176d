package leadership_test

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

func TestRoleHierarchyCascadesChildFirst(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	nc := connect(t, srv.URL())
	log := newRoleLog()
	parentHealth := &roleHealth{}
	probe, pid := spawnRoleManager(t, system, "a",
		leadership.RoleSpec{
			Role:     "p",
			Config:   roleConfig(nc, parentHealth),
			Work:     []leadership.WorkFunc{recordingWork(log, "p work", nil)},
			OnDemote: log.logDemotes("p"),
		},
		leadership.RoleSpec{
			Role:     "p/c",
			Parent:   "p",
			Config:   roleConfig(nc, nil),
			Work:     []leadership.WorkFunc{recordingWork(log, "p/c work", nil)},
			OnDemote: log.logDemotes("p/c"),
		},
	)

	// The child campaigns only once the parent is led here.
	expectRole[*leadership.Promoted](t, probe, "p")
	child := expectRole[*leadership.Promoted](t, probe, "p/c")
	log.await(t, "p/c work started "+child.Token.String())

	parentHealth.sick.Store(true)
	// One ordered log (the manager's reports to its parent): the child's
	// term ends, with its work stopped and its OnDemote returned, before the
	// parent's term is reported over.
	cd := expectRole[*leadership.Demoted](t, probe, "p/c")
	if cd.Reason != leadership.ReasonStopped || cd.Token != child.Token {
		t.Fatalf("child Demoted = %+v; want reason stopped for %v", cd, child.Token)
	}
	pd := expectRole[*leadership.Demoted](t, probe, "p")
	if pd.Reason != leadership.ReasonUnhealthy {
		t.Fatalf("parent demoted for %v, want unhealthy", pd.Reason)
	}
	log.await(t, "p OnDemote unhealthy")
	log.requireOrder(t, "p/c work stopped", "p/c OnDemote stopped", "p OnDemote unhealthy")
	log.requireOrder(t, "p work stopped", "p OnDemote unhealthy")

	st := rolesStatus(t, system, pid)
	if c := st.Roles["p/c"]; c.Active || c.State != "inactive" || c.Parent != "p" {
		t.Fatalf("child after the cascade: %s; want inactive with parent p", describeRoles(st))
	}
	if p := st.Roles["p"]; !p.Active || p.IsLeader() {
		t.Fatalf("parent after the cascade: %s; want active, not leading", describeRoles(st))
	}
}

func TestChildRoleCampaignsOnlyWhereItsParentIsLed(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	probes := map[string]*actortest.Probe{}
	pids := map[string]*actor.PID{}
	childHealth := map[string]*roleHealth{}
	for _, id := range []string{"a", "b"} {
		nc := connect(t, srv.URL())
		childHealth[id] = &roleHealth{}
		probes[id], pids[id] = spawnRoleManager(t, system, id,
			leadership.RoleSpec{Role: "p", Config: roleConfig(nc, nil)},
			leadership.RoleSpec{Role: "p/c", Parent: "p", Config: roleConfig(nc, childHealth[id])},
		)
	}
	first := events.await(t, 0, wait, "a promotion for p", promotedIn("p", "")).msg.(*leadership.Promoted)
	leader, other := first.InstanceID, "a"
	if leader == "a" {
		other = "b"
	}
	events.await(t, 0, wait, "the parent's leader promoted for p/c", promotedIn("p/c", leader))
	if st := rolesStatus(t, system, pids[other]); st.Roles["p/c"].Active || !st.Roles["p"].Active {
		t.Fatalf("instance %s, not leading p: %s; want p active and p/c inactive", other, describeRoles(st))
	}

	// Free the child's lease while its parent stays led: a candidate for
	// p/c would take it within milliseconds, and the other instance has none.
	from := events.len()
	childHealth[leader].sick.Store(true)
	events.await(t, from, wait, "the leader's p/c demoted", demotedIn("p/c", leader))
	actortest.ExpectNo[*leadership.Promoted](t, probes[other], 500*time.Millisecond)

	// Once the parent's leader stops, the other instance leads the parent,
	// and then the child.
	stopRoles(t, system, pids[leader])
	expectRole[*leadership.Promoted](t, probes[other], "p")
	expectRole[*leadership.Promoted](t, probes[other], "p/c")
}
