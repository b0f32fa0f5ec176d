package leadership_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

const wait = 5 * time.Second

// spawnCandidate spawns an election as the child of a probe, which receives
// what the election sends its parent. The election is stopped when the test
// ends.
func spawnCandidate(t *testing.T, system *actor.ActorSystem, cfg leadership.Config) (*actortest.Probe, *actor.PID) {
	t.Helper()
	props, err := leadership.NewProps(cfg)
	if err != nil {
		t.Fatalf("NewProps: %v", err)
	}
	probe, pid := actortest.NewParentProbe(t, system, props)
	t.Cleanup(func() { _ = system.Root.PoisonFuture(pid).Wait() })
	return probe, pid
}

func TestOneCandidateIsPromotedAndParentHearsIt(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	probe, pid := spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "solo", "a"))

	p := actortest.Expect[*leadership.Promoted](t, probe, wait)
	if p.Role != "solo" || p.InstanceID != "a" || p.Token.Holder != "a" || p.Token.Revision == 0 || p.Token.Nonce == "" {
		t.Fatalf("Promoted = %+v; want role solo, instance a and a full token", p)
	}
	events.await(t, 0, wait, "Promoted on the EventStream", promotedOf("a"))

	res, err := system.Root.RequestFuture(pid, &leadership.GetStatus{}, wait).Result()
	if err != nil {
		t.Fatalf("GetStatus: %v", err)
	}
	st := res.(*leadership.Status)
	if !st.IsLeader() || st.Lease.Token != p.Token || st.State != "leader" {
		t.Fatalf("status = %+v; want leader with token %v", st, p.Token)
	}

	if err := system.Root.PoisonFuture(pid).Wait(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	d := actortest.Expect[*leadership.Demoted](t, probe, wait)
	if d.Reason != leadership.ReasonStopped || d.Token != p.Token {
		t.Fatalf("Demoted = %+v; want reason stopped for token %v", d, p.Token)
	}
	events.await(t, 0, wait, "Demoted on the EventStream", demotedOf("a"))
}

func TestFiveCandidatesOneLeader(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	probes := map[string]*actortest.Probe{}
	for i := range 5 {
		id := fmt.Sprintf("c%d", i)
		probes[id], _ = spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "five", id))
	}
	first := events.await(t, 0, wait, "a promotion", anyPromoted)
	leader := first.msg.(*leadership.Promoted).InstanceID
	// Each of the others hears who leads, and none is promoted.
	for id, probe := range probes {
		if id == leader {
			continue
		}
		awaitLeaderSeen(t, probe, leader)
	}
	promotions := 0
	for _, ev := range events.snapshot() {
		if anyPromoted(ev.msg) {
			promotions++
		}
	}
	if promotions != 1 {
		t.Fatalf("%d promotions among five candidates, want 1: %s", promotions, events.describe(0))
	}
}

// status asks an election actor for its status.
func status(t *testing.T, system *actor.ActorSystem, pid *actor.PID) *leadership.Status {
	t.Helper()
	res, err := system.Root.RequestFuture(pid, &leadership.GetStatus{}, wait).Result()
	if err != nil {
		t.Fatalf("GetStatus: %v", err)
	}
	return res.(*leadership.Status)
}
