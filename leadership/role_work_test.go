package leadership_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

func TestRoleWorkRunsWithTheTermAndStopsBeforeDemoted(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	log := newRoleLog()
	health := &roleHealth{}
	gate, openGate := newGate()
	probe, pid := spawnRoleManager(t, system, "a", leadership.RoleSpec{
		Role:     "worker",
		Config:   roleConfig(connect(t, srv.URL()), health),
		Work:     []leadership.WorkFunc{recordingWork(log, "work", gate)},
		OnDemote: log.logDemotes("worker"),
	})
	t.Cleanup(openGate)

	p := expectRole[*leadership.Promoted](t, probe, "worker")
	log.await(t, "work started "+p.Token.String())

	// The election demotes at once; the work actor's stop hangs, and the
	// role must not report the term over while its work still runs.
	from := events.len()
	health.sick.Store(true)
	events.await(t, from, wait, "the election's own Demoted", demotedIn("worker", "a"))
	actortest.ExpectNo[*leadership.Demoted](t, probe, 300*time.Millisecond)
	if i := log.index("work stopped"); i >= 0 {
		t.Fatalf("work stopped while its Stopping was held; log: %q", log.snapshot())
	}

	openGate()
	d := expectRole[*leadership.Demoted](t, probe, "worker")
	if log.index("work stopped") < 0 {
		t.Fatalf("Demoted reported before the work actor stopped; log: %q", log.snapshot())
	}
	if d.Reason != leadership.ReasonUnhealthy || d.Token != p.Token {
		t.Fatalf("Demoted = %+v; want reason unhealthy for %v", d, p.Token)
	}
	log.await(t, "worker OnDemote unhealthy")
	log.requireOrder(t, "work started "+p.Token.String(), "work stopped", "worker OnDemote unhealthy")

	st := rolesStatus(t, system, pid).Roles["worker"]
	if !st.Active || st.IsLeader() {
		t.Fatalf("status after demotion = %+v; want active, not leading", st)
	}
}

func TestRoleResignsWhenWorkKeepsFailing(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	var crashes atomic.Int32
	crashing := func(leadership.Token) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(*actor.Started); ok {
				crashes.Add(1)
				panic("work exploded")
			}
		})
	}
	cfg := roleConfig(connect(t, srv.URL()), nil)
	cfg.Timings.ResignHoldOff = 10 * time.Second // no second term within the test
	probe, _ := spawnRoleManager(t, system, "a", leadership.RoleSpec{
		Role:                    "crashy",
		Config:                  cfg,
		Work:                    []leadership.WorkFunc{crashing},
		ResignAfterWorkFailures: 2,
	})

	p := expectRole[*leadership.Promoted](t, probe, "crashy")
	d := expectRole[*leadership.Demoted](t, probe, "crashy")
	if d.Reason != leadership.ReasonResigned || d.Token != p.Token {
		t.Fatalf("Demoted = %+v; want reason resigned for %v", d, p.Token)
	}
	if n := crashes.Load(); n < 2 {
		t.Fatalf("resigned after %d work failures, want at least 2", n)
	}
}

func TestRoleWithoutResignKeepsLeadingWhenWorkFails(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	failed := make(chan struct{}, 16)
	crashing := func(leadership.Token) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(*actor.Started); ok {
				failed <- struct{}{}
				panic("work exploded")
			}
		})
	}
	probe, pid := spawnRoleManager(t, system, "a", leadership.RoleSpec{
		Role:   "stubborn",
		Config: roleConfig(connect(t, srv.URL()), nil),
		Work:   []leadership.WorkFunc{crashing},
	})
	expectRole[*leadership.Promoted](t, probe, "stubborn")
	for i := range 3 {
		select {
		case <-failed:
		case <-time.After(wait):
			t.Fatalf("waited %v for work failure %d: the work actor was not restarted", wait, i+1)
		}
	}
	actortest.ExpectNo[*leadership.Demoted](t, probe, 10*time.Millisecond)
	if st := rolesStatus(t, system, pid).Roles["stubborn"]; !st.IsLeader() {
		t.Fatalf("status after work failures = %+v; want still leading", st)
	}
}
