package leadership_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// TestSessionsKeepManyLeadersWithOneRenewal runs 30 roles on one actor
// system and connection with sessions: all lead, and while they lead the
// store writes its session key about once per heartbeat, not once per
// leader per heartbeat.
func TestSessionsKeepManyLeadersWithOneRenewal(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	nc := connect(t, srv.URL())
	const roles = 30
	for i := range roles {
		cfg := fastConfig(nc, fmt.Sprintf("shard-%d", i), "node")
		cfg.Sessions = true
		spawnCandidate(t, system, cfg)
	}
	for i := range roles {
		role := fmt.Sprintf("shard-%d", i)
		events.await(t, 0, wait, "the promotion of "+role, func(m any) bool {
			p, ok := m.(*leadership.Promoted)
			return ok && p.Role == role
		})
	}
	start, ok := leadership.SharedStoreStats(system, nc, "")
	if !ok {
		t.Fatal("no shared store for the elections")
	}
	// Ten heartbeats of every leader, counted by the store's own writes:
	// wait for ten more session writes, then check no leader was demoted
	// meanwhile.
	from := events.len()
	deadline := time.Now().Add(20 * time.Second)
	var now leadership.StoreStats
	for now.SessionWrites < start.SessionWrites+10 {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for 10 session writes; saw %d", now.SessionWrites-start.SessionWrites)
		}
		time.Sleep(10 * time.Millisecond) // a counter has no event to wait on
		now, _ = leadership.SharedStoreStats(system, nc, "")
	}
	if d := events.count(from, func(m any) bool { _, ok := m.(*leadership.Demoted); return ok }); d != 0 {
		t.Fatalf("%d demotions while the session was renewed", d)
	}
	if now.SessionsEnded != 0 {
		t.Fatalf("%d sessions ended under the store", now.SessionsEnded)
	}
	t.Logf("%d leaders, 10 heartbeats: %d session writes", roles, now.SessionWrites-start.SessionWrites)
}

// TestSessionsGracefulStopHandsOverAtOnce: a leader that stops releases its
// own lease (a revision-checked delete of the role's key), so its follower
// does not wait for the session to end, and the leader's other roles, kept
// by the same session, stay led.
func TestSessionsGracefulStopHandsOverAtOnce(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	nc := connect(t, srv.URL())
	first := fastConfig(nc, "handover", "first")
	first.Sessions = true
	stay := fastConfig(nc, "stays", "first")
	stay.Sessions = true
	leaderProbe, leaderPID := spawnCandidate(t, system, first)
	actortest.Expect[*leadership.Promoted](t, leaderProbe, wait)
	stayProbe, _ := spawnCandidate(t, system, stay)
	actortest.Expect[*leadership.Promoted](t, stayProbe, wait)
	next := fastConfig(connect(t, srv.URL()), "handover", "next")
	next.Sessions = true
	nextProbe, _ := spawnCandidate(t, system, next)
	awaitLeaderSeen(t, nextProbe, "first")

	from := events.len()
	stopped := time.Now()
	if err := system.Root.PoisonFuture(leaderPID).Wait(); err != nil {
		t.Fatalf("stop leader: %v", err)
	}
	promoted := events.await(t, from, first.TTL, "the follower's promotion within the session TTL", promotedOf("next"))
	t.Logf("graceful handover with sessions: %v", promoted.at.Sub(stopped))
	if d := events.count(from, func(m any) bool {
		d, ok := m.(*leadership.Demoted)
		return ok && d.Role == "stays"
	}); d != 0 {
		t.Fatal("the role kept by the same session was demoted when another of its roles stopped")
	}
}

// TestSessionsAreOneSettingPerStore: elections that share a store must agree
// on sessions; the second one is refused with both settings named.
func TestSessionsAreOneSettingPerStore(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	nc := connect(t, srv.URL())
	with := fastConfig(nc, "a", "node")
	with.Sessions = true
	e, err := leadership.NewElection(system, with)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.StopWithContext(context.Background(), leadership.StopOptions{}) })
	without, err := leadership.NewElection(system, fastConfig(nc, "b", "node"))
	if err != nil {
		t.Fatal(err)
	}
	err = without.Start(context.Background())
	if err == nil {
		_ = without.StopWithContext(context.Background(), leadership.StopOptions{})
		t.Fatal("an election without sessions started on a store with sessions")
	}
	t.Logf("refused: %v", err)
}

// count is how many events at or after index from match.
func (r *recorder) count(from int, match func(any) bool) int {
	n := 0
	for _, ev := range r.snapshot()[from:] {
		if match(ev.msg) {
			n++
		}
	}
	return n
}

// TestSessionsLeaderReclaimsItsOwnLeaseAfterADeadline: a leader cut off
// from the server demotes at its deadline; its lease key still names it
// under its own session, which nobody else can take while the session
// lives. When the link heals before the session's TTL runs out, the
// session lives on, and the election claims its own key back instead of
// leaving the role without a leader for as long as the session lasts.
func TestSessionsLeaderReclaimsItsOwnLeaseAfterADeadline(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	events := record(t, system)
	cfg := fastConfig(connect(t, proxy.URL()), "reclaim", "only")
	cfg.Sessions, cfg.TTL = true, 4*time.Second // the session outlives the cut
	_, _ = spawnCandidate(t, system, cfg)
	first := events.await(t, 0, wait, "the first promotion", promotedOf("only")).msg.(*leadership.Promoted).Token

	from := events.len()
	proxy.Blackhole()
	cut := time.Now()
	demoted := events.await(t, from, 2*cfg.Timings.RenewDeadline, "the cut-off leader's demotion at its deadline", demotedOf("only"))
	if r := demoted.msg.(*leadership.Demoted).Reason; r != leadership.ReasonRenewDeadline {
		t.Fatalf("demoted for %v, want %v", r, leadership.ReasonRenewDeadline)
	}
	proxy.Heal()
	again := events.await(t, from, cfg.TTL, "a new term of the same candidate, before the session could end", promotedOf("only"))
	next := again.msg.(*leadership.Promoted).Token
	if !next.Supersedes(first) || next == first {
		t.Fatalf("new term %v does not supersede %v", next, first)
	}
	t.Logf("demoted %v after the cut, led again %v after it", demoted.at.Sub(cut), again.at.Sub(cut))
}

// TestSessionsUnhealthyExLeaderReleasesItsLeftTerm: a leader with sessions
// is cut off and turns unhealthy at once; its release on demotion cannot
// reach the server, so the role's key still names it under its session,
// which lives on when the link heals. Nobody else may take such a key while
// the session lives, and the ex-leader may not lead while unhealthy: it
// releases the term it left behind, and the healthy candidate leads long
// before the session could end.
func TestSessionsUnhealthyExLeaderReleasesItsLeftTerm(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	events := record(t, system)
	checker := &switchableChecker{}
	sick := fastConfig(connect(t, proxy.URL()), "left", "sick")
	sick.Sessions, sick.TTL = true, 4*time.Second // the session outlives the cut
	sick.Health.Checker, sick.Health.Interval, sick.Health.FailureThreshold = checker, 50*time.Millisecond, 2
	sickProbe, _ := spawnCandidate(t, system, sick)
	actortest.Expect[*leadership.Promoted](t, sickProbe, wait)
	healthy := fastConfig(connect(t, srv.URL()), "left", "healthy")
	healthy.Sessions, healthy.TTL = true, 4*time.Second
	healthyProbe, _ := spawnCandidate(t, system, healthy)
	awaitLeaderSeen(t, healthyProbe, "sick")

	from := events.len()
	proxy.Blackhole()
	checker.failing.Store(true)
	d := events.await(t, from, wait, "the cut-off leader's demotion for its health", demotedOf("sick"))
	if r := d.msg.(*leadership.Demoted).Reason; r != leadership.ReasonUnhealthy {
		t.Fatalf("demoted for %v, want %v", r, leadership.ReasonUnhealthy)
	}
	// Heal once the release on demotion has run out of time (OpTimeout),
	// well within the session's proof window, so the session lives on.
	time.Sleep(sick.Timings.OpTimeout + 100*time.Millisecond) // scheduling the heal, not waiting for an event
	proxy.Heal()
	healed := time.Now()
	promoted := events.await(t, from, sick.TTL-time.Second, "the healthy candidate's promotion before the ex-leader's session could end", promotedOf("healthy"))
	t.Logf("the healthy candidate led %v after the heal", promoted.at.Sub(healed))
}

// TestSessionsStopWhoseReleaseFailedIsReleasedByTheStore: a leader stops
// while its link is cut, so its release cannot finish; another election of
// the same instance keeps the store, and with it the session, alive. The
// key names that live session, so nobody else may take it: the store
// releases it once the link heals, and the follower leads long before the
// session could end.
func TestSessionsStopWhoseReleaseFailedIsReleasedByTheStore(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	events := record(t, system)
	nc := connect(t, proxy.URL())
	leaving := fastConfig(nc, "orphan", "first")
	leaving.Sessions, leaving.TTL = true, 4*time.Second // the session outlives the cut
	stays := fastConfig(nc, "stays", "first")
	stays.Sessions, stays.TTL = true, 4*time.Second
	leaderProbe, leaderPID := spawnCandidate(t, system, leaving)
	actortest.Expect[*leadership.Promoted](t, leaderProbe, wait)
	stayProbe, _ := spawnCandidate(t, system, stays)
	actortest.Expect[*leadership.Promoted](t, stayProbe, wait)
	next := fastConfig(connect(t, srv.URL()), "orphan", "next")
	next.Sessions, next.TTL = true, 4*time.Second
	nextProbe, _ := spawnCandidate(t, system, next)
	awaitLeaderSeen(t, nextProbe, "first")

	from := events.len()
	proxy.Blackhole()
	if err := system.Root.PoisonFuture(leaderPID).Wait(); err != nil {
		t.Fatalf("stop leader: %v", err)
	}
	proxy.Heal()
	healed := time.Now()
	promoted := events.await(t, from, leaving.TTL-time.Second, "the follower's promotion before the session could end", promotedOf("next"))
	t.Logf("the follower led %v after the heal", promoted.at.Sub(healed))
}

// TestSessionsParkedLeaderStaysLeaderPastItsSnapshot: once its session
// proves the lease, a leader's heartbeat parks on the session and the
// election publishes no more snapshots for it; IsLeader counts the
// session's newer proofs, so the leader leads on well past the deadline of
// its last snapshot.
func TestSessionsParkedLeaderStaysLeaderPastItsSnapshot(t *testing.T) {
	srv := natstest.RunServer(t)
	cfg := fastConfig(connect(t, srv.URL()), "parked", "a")
	cfg.Sessions = true
	e := startElection(t, cfg)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.StopWithContext(context.Background(), leadership.StopOptions{}) })
	eventually(t, wait, "a to lead", e.IsLeader)
	// Three deadlines long, the leader must lead throughout.
	for end := time.Now().Add(3 * cfg.Timings.RenewDeadline); time.Now().Before(end); {
		if !e.IsLeader() {
			st := e.Status()
			t.Fatalf("not leader: snapshot deadline %v, proven %v (leading %v, last error %q)", st.Lease.Deadline, st.LeaseProven(), st.Leading, st.LastError)
		}
		time.Sleep(cfg.Timings.HeartbeatInterval / 2) // a condition that must hold throughout, checked at intervals
	}
	st := e.Status()
	now := time.Now()
	if !st.Lease.Deadline.Before(now) {
		t.Fatalf("the snapshot's own deadline %v is still ahead at %v: the heartbeat renewed rather than parked", st.Lease.Deadline, now)
	}
	if !st.LeaseDeadline().After(now) || !st.LeaseProven().After(st.Lease.LastRenewal) {
		t.Fatalf("the session's proof did not move the lease on: proven %v, deadline %v; snapshot %v, %v", st.LeaseProven(), st.LeaseDeadline(), st.Lease.LastRenewal, st.Lease.Deadline)
	}
}
