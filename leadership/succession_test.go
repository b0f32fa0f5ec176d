package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// member is one candidate of a succession test.
type member struct {
	e   leadership.Election
	log *callbackLog
}

// join starts a candidate on system and returns it with its callbacks.
func join(t *testing.T, system *actor.ActorSystem, cfg leadership.Config) member {
	t.Helper()
	e, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := member{e: e, log: watchCallbacks(t, e, false)}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	return m
}

// awaitCandidates waits until every member sees n live candidates.
func awaitCandidates(t *testing.T, n int, ms ...member) {
	t.Helper()
	for _, m := range ms {
		eventually(t, wait, fmt.Sprintf("%s to see %d candidates", m.e.Status().InstanceID, n), func() bool {
			return len(m.e.Status().Candidates) == n
		})
	}
}

// awaitLeader waits until every member sees leader hold the lease.
func awaitLeader(t *testing.T, leader string, ms ...member) {
	t.Helper()
	for _, m := range ms {
		eventually(t, wait, fmt.Sprintf("%s to see %s lead", m.e.Status().InstanceID, leader), func() bool {
			return m.e.LeaderID() == leader
		})
	}
}

// succession starts a leader "a" and the candidates named with their
// priorities, and waits until everyone knows everyone.
func succession(t *testing.T, prefs map[string]int) (*actor.ActorSystem, string, map[string]member) {
	t.Helper()
	srv := natstest.RunServer(t)
	system := newSystem(t)
	role := "succession"
	ms := map[string]member{"a": join(t, system, fastConfig(connect(t, srv.URL()), role, "a"))}
	ms["a"].log.promoted(t)
	all := []member{ms["a"]}
	for id, p := range prefs {
		cfg := fastConfig(connect(t, srv.URL()), role, id)
		cfg.Priority = p
		ms[id] = join(t, system, cfg)
		all = append(all, ms[id])
	}
	awaitCandidates(t, len(all), all...)
	awaitLeader(t, "a", all...)
	return system, srv.URL(), ms
}

func TestHandOffNamedSuccessorWinsOverAHigherPriority(t *testing.T) {
	_, _, ms := succession(t, map[string]int{"boss": 5, "named": 0})
	old := ms["a"].e.Token()
	before := ms["boss"].e.Status().Acquisition.Attempts
	if err := ms["a"].e.HandOff(context.Background(), "named"); err != nil {
		t.Fatalf("hand off: %v", err)
	}
	if r := ms["a"].log.demoted(t); r != leadership.ReasonResigned {
		t.Fatalf("old leader demoted for %v, want resigned", r)
	}
	tok := ms["named"].log.promoted(t)
	if tok.Holder != "named" || tok.Revision <= old.Revision {
		t.Fatalf("successor's token %v does not grow past %v", tok, old)
	}
	if n := ms["named"].e.Status().Acquisition.Attempts; n != 1 {
		t.Fatalf("the successor made %d acquisitions, want 1 (its claim)", n)
	}
	awaitLeader(t, "named", ms["boss"])
	if n := ms["boss"].e.Status().Acquisition.Attempts; n != before || ms["boss"].e.IsLeader() {
		t.Fatalf("the higher priority candidate campaigned (%d acquisitions) during a handover to another", n-before)
	}
}

func TestResignHandsTheLeaseToTheFirstInOrder(t *testing.T) {
	_, _, ms := succession(t, map[string]int{"low": 1, "high": 2})
	cs := ms["low"].e.Candidates()
	if len(cs) != 3 || cs[0].InstanceID != "high" || cs[1].InstanceID != "low" || cs[2].InstanceID != "a" {
		t.Fatalf("order of succession %+v, want high, low, a", cs)
	}
	if err := ms["a"].e.Resign(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms["high"].log.promoted(t)
	awaitLeader(t, "high", ms["low"], ms["a"])
	if n := ms["low"].e.Status().Acquisition.Attempts; n != 0 {
		t.Fatalf("low made %d acquisitions during the handover, want none", n)
	}
}

func TestHandOffToAnUnknownCandidateKeepsLeading(t *testing.T) {
	_, _, ms := succession(t, map[string]int{"b": 0})
	for _, id := range []string{"ghost", "a"} {
		if err := ms["a"].e.HandOff(context.Background(), id); !errors.Is(err, leadership.ErrNoSuccessor) {
			t.Fatalf("HandOff(%q) = %v, want ErrNoSuccessor", id, err)
		}
	}
	if !ms["a"].e.IsLeader() {
		t.Fatal("a refused handover demoted the leader")
	}
	if err := ms["b"].e.HandOff(context.Background(), "a"); !errors.Is(err, leadership.ErrNotLeader) {
		t.Fatalf("HandOff by a follower = %v, want ErrNotLeader", err)
	}
}

// TestDemotedIsAnnouncedBeforeTheOfferIsWritten reads the key while the
// Demoted message is being delivered (EventStream delivery runs on the
// election actor's goroutine, before it carries out the next effect): the
// key must still hold the old lease, not yet offered.
func TestDemotedIsAnnouncedBeforeTheOfferIsWritten(t *testing.T) {
	system, url, ms := succession(t, map[string]int{"b": 0})
	js, err := jetstream.New(connect(t, url))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(context.Background(), leadership.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 1)
	sub := system.EventStream.Subscribe(func(msg any) {
		if d, ok := msg.(*leadership.Demoted); ok && d.InstanceID == "a" {
			e, err := kv.Get(context.Background(), "succession")
			switch {
			case err != nil:
				seen <- err.Error()
			default:
				seen <- string(e.Value())
			}
		}
	})
	t.Cleanup(func() { system.EventStream.Unsubscribe(sub) })
	if err := ms["a"].e.Resign(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-seen:
		if !strings.Contains(v, `"holder":"a"`) || strings.Contains(v, "offered_to") {
			t.Fatalf("when Demoted was delivered the key held %s; want a's lease, not yet offered", v)
		}
	case <-time.After(wait):
		t.Fatal("no Demoted")
	}
	ms["b"].log.promoted(t)
}

func TestPreferredLeaderTakesOverAtTheNextHeartbeat(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	cfg := fastConfig(connect(t, srv.URL()), "preferred", "a")
	cfg.Succession.PreferredLeader = true
	a := join(t, system, cfg)
	a.log.promoted(t)
	cfg = fastConfig(connect(t, srv.URL()), "preferred", "boss")
	cfg.Priority = 3
	boss := join(t, system, cfg)
	if r := a.log.demoted(t); r != leadership.ReasonOutranked {
		t.Fatalf("leader demoted for %v, want outranked", r)
	}
	boss.log.promoted(t)
}

func TestAnUnclaimedOfferFreesTheLease(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	cfg := fastConfig(connect(t, srv.URL()), "unclaimed", "a")
	cfg.Timings.ResignHoldOff = leadership.None
	a := join(t, system, cfg)
	a.log.promoted(t)
	// "sick" is registered and live, but unhealthy: it will not claim.
	cfg = fastConfig(connect(t, srv.URL()), "unclaimed", "sick")
	cfg.Health.Checker = leadership.HealthCheckFunc(func(context.Context) error { return errors.New("sick") })
	cfg.Health.Interval, cfg.Health.FailureThreshold = 20*time.Millisecond, 1
	sick := join(t, system, cfg)
	awaitCandidates(t, 2, a, sick)
	eventually(t, wait, "sick to turn unhealthy", func() bool { return !sick.e.Status().Conditions.Healthy })
	offered := time.Now()
	if err := a.e.HandOff(context.Background(), "sick"); err != nil {
		t.Fatal(err)
	}
	a.log.demoted(t)
	a.log.promoted(t)
	// The bound: OfferTTL, the server's expiry sweep (250ms) and the
	// stand-by and jitter of a candidate that is not first in the order.
	bound := time.Second + 250*time.Millisecond + leadership.DefaultSuccessionStandBy + leadership.DefaultCampaignJitter
	if d := time.Since(offered); d > bound+500*time.Millisecond {
		t.Fatalf("the unclaimed offer held the role for %v, bound %v", d, bound)
	}
	t.Logf("an unclaimed offer freed the role and a candidate took it %v after the offer", time.Since(offered))
}

func TestReservedRoleIsRefused(t *testing.T) {
	cfg := leadership.Config{Conn: &nats.Conn{}, Role: "_baton.candidates.x"}
	if err := cfg.Validate(); !errors.Is(err, leadership.ErrInvalidConfig) {
		t.Fatalf("Validate(role %q) = %v, want ErrInvalidConfig", cfg.Role, err)
	}
}
