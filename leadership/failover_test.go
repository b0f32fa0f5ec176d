package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
)

func TestGracefulStopHandsOver(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	events := record(t, system)
	leaderProbe, leaderPID := spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "handover", "first"))
	actortest.Expect[*leadership.Promoted](t, leaderProbe, wait)
	for i := range 2 {
		probe, _ := spawnCandidate(t, system, fastConfig(connect(t, srv.URL()), "handover", fmt.Sprintf("next%d", i)))
		// The handover is measured from a settled state: the follower knows the leader.
		awaitLeaderSeen(t, probe, "first")
	}
	from := events.len()
	stopped := time.Now()
	if err := system.Root.PoisonFuture(leaderPID).Wait(); err != nil {
		t.Fatalf("stop leader: %v", err)
	}
	d := actortest.Expect[*leadership.Demoted](t, leaderProbe, wait)
	if d.Reason != leadership.ReasonStopped {
		t.Fatalf("leader demoted for %v, want stopped", d.Reason)
	}
	next := events.await(t, from, wait, "a successor's promotion", anyPromoted)
	successor := next.msg.(*leadership.Promoted)
	if successor.InstanceID == "first" || !successor.Token.Supersedes(d.Token) || successor.Token == d.Token {
		t.Fatalf("successor %+v does not supersede %+v", successor, d.Token)
	}
	t.Logf("graceful handover: %v from stop to the successor's promotion", next.at.Sub(stopped))
}

func TestSilentCutSingleServer(t *testing.T) {
	srv := natstest.RunServer(t)
	silentCut(t, srv.URL(), srv.URL(), 1, false)
}

func TestSilentCutCluster(t *testing.T) {
	cluster := natstest.RunCluster(t, 3)
	silentCut(t, cluster.Servers[0].URL(), cluster.URLs(), 3, false)
}

// The same cut with sessions: the leader's session key stops being renewed,
// the leader demotes at its deadline, and a follower takes the lease over
// once the server has let the session go.
func TestSilentCutSessionsSingleServer(t *testing.T) {
	srv := natstest.RunServer(t)
	silentCut(t, srv.URL(), srv.URL(), 1, true)
}

func TestSilentCutSessionsCluster(t *testing.T) {
	cluster := natstest.RunCluster(t, 3)
	silentCut(t, cluster.Servers[0].URL(), cluster.URLs(), 3, true)
}

// silentCut makes a candidate leader through a fault proxy to leaderURL,
// starts two more candidates on othersURL, then silently blackholes the
// leader's link. The leader must demote itself before anyone else is
// promoted (both times on this process's monotonic clock), and a successor
// must be promoted within TTL + 1s of the cut.
func silentCut(t *testing.T, leaderURL, othersURL string, replicas int, sessions bool) {
	if sessions {
		// Sessions turn on atomic publish on the bucket's stream when it is
		// created: two replicated stream operations, more than the short
		// OpTimeout of these configs allows on a loaded host.
		prepareBucket(t, othersURL, transport.Options{Bucket: transport.BucketConfig{Name: leadership.DefaultBucket, Replicas: replicas},
			Session: transport.SessionOptions{TTL: 2 * time.Second}})
	}
	proxy := natstest.RunProxy(t, leaderURL)
	system := newSystem(t)
	events := record(t, system)
	cfg := fastConfig(connect(t, proxy.URL()), "silent", "cut")
	cfg.Bucket.Replicas, cfg.Sessions = replicas, sessions
	e, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = e.StopWithContext(context.Background(), leadership.StopOptions{}) })
	promoted := events.await(t, 0, wait, "the first candidate's promotion", promotedOf("cut"))
	token := promoted.msg.(*leadership.Promoted).Token
	for i := range 2 {
		other := fastConfig(connect(t, othersURL), "silent", fmt.Sprintf("other%d", i))
		other.Bucket.Replicas, other.Sessions = replicas, sessions
		probe, _ := spawnCandidate(t, system, other)
		awaitLeaderSeen(t, probe, "cut")
	}
	if err := e.ValidateToken(context.Background()); err != nil {
		t.Fatalf("ValidateToken while leading: %v", err)
	}

	from := events.len()
	proxy.Blackhole()
	cut := time.Now()
	demoted := events.await(t, from, cfg.TTL+time.Second, "the cut-off leader to demote itself", demotedOf("cut"))
	successor := events.await(t, from, cfg.TTL+time.Second, "a successor's promotion", anyPromoted)
	if !demoted.at.Before(successor.at) {
		t.Fatalf("successor promoted at +%v, before the old leader demoted at +%v", successor.at.Sub(cut), demoted.at.Sub(cut))
	}
	if r := demoted.msg.(*leadership.Demoted).Reason; r != leadership.ReasonRenewDeadline {
		t.Errorf("cut-off leader demoted for %v, want %v", r, leadership.ReasonRenewDeadline)
	}
	if next := successor.msg.(*leadership.Promoted).Token; !next.Supersedes(token) || next == token {
		t.Fatalf("successor token %v does not supersede %v", next, token)
	}
	if err := e.ValidateToken(context.Background()); !errors.Is(err, leadership.ErrNotLeader) {
		t.Fatalf("ValidateToken after demotion: err = %v, want ErrNotLeader", err)
	}
	if e.IsLeader() {
		t.Fatal("IsLeader after demotion")
	}
	t.Logf("silent cut (replicas %d, sessions %v): leader demoted at +%v, successor promoted at +%v (gap %v)",
		replicas, sessions, demoted.at.Sub(cut), successor.at.Sub(cut), successor.at.Sub(demoted.at))
	proxy.Heal()
}

// prepareBucket creates the lease bucket as a store with opts would.
func prepareBucket(t *testing.T, url string, opts transport.Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := transport.Open(ctx, connect(t, url), opts)
	if err != nil {
		t.Fatalf("create the bucket: %v", err)
	}
	store.Close()
}

// awaitLeaderSeen waits until the candidate under probe reports leader.
func awaitLeaderSeen(t *testing.T, probe *actortest.Probe, leader string) {
	t.Helper()
	for {
		if lc := actortest.Expect[*leadership.LeaderChanged](t, probe, wait); lc.Leader == leader {
			return
		}
	}
}
