package leadership_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// server is one candidate serving requests: it answers with its instance
// ID and counts requests its ServeFunc saw after its OnDemote began.
type server struct {
	e               leadership.Election
	promoted        chan leadership.Token
	demoted         chan leadership.DemoteReason
	isDemoted       atomic.Bool
	servedAfterDemo atomic.Int64
}

// startServer starts an election for role on nc that serves requests.
func startServer(t *testing.T, system *actor.ActorSystem, nc *nats.Conn, role, instance string) *server {
	t.Helper()
	s := &server{promoted: make(chan leadership.Token, 4), demoted: make(chan leadership.DemoteReason, 4)}
	cfg := fastConfig(nc, role, instance)
	cfg.Requests.Control = true
	cfg.Requests.Serve = func(_ context.Context, tok leadership.Token, req []byte) ([]byte, error) {
		if s.isDemoted.Load() {
			s.servedAfterDemo.Add(1)
		}
		if string(req) == "fail" {
			return nil, errors.New("refused")
		}
		return []byte(tok.Holder), nil
	}
	e, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.OnPromote(func(_ context.Context, tok leadership.Token) {
		s.isDemoted.Store(false)
		s.promoted <- tok
	})
	e.OnDemote(func(_ context.Context, r leadership.DemoteReason) {
		s.isDemoted.Store(true)
		s.demoted <- r
	})
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("start %s: %v", instance, err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	s.e = e
	return s
}

// await reads ch or fails the test after wait, naming what it waited for.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out after %v waiting for %s", wait, what)
		var zero T
		return zero
	}
}

// ask sends one request to the leader of "proxied" with a deadline and
// returns the answer.
func ask(t *testing.T, nc *nats.Conn, data string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got, err := leadership.Request(ctx, nc, leadership.DefaultBucket, "proxied", []byte(data), leadership.AttemptTimeout(300*time.Millisecond))
	return string(got), err
}

func TestRequestReachesLeaderAndNoDemotedLeaderAnswers(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	client := connect(t, srv.URL())

	// Pings find the dead link only after RenewDeadline (1.2s), so the cut
	// is silent to the election, and let the client reconnect after the heal.
	firstConn := natstest.Connect(t, proxy.URL(), nats.PingInterval(500*time.Millisecond), nats.MaxPingsOutstanding(3))
	first := startServer(t, system, firstConn, "proxied", "first")
	await(t, first.promoted, "first's promotion")
	second := startServer(t, system, connect(t, srv.URL()), "proxied", "second")
	if got, err := ask(t, client, "hello"); err != nil || got != "first" {
		t.Fatalf("request before the cut: %q, %v; want first", got, err)
	}
	if _, err := ask(t, client, "fail"); !errors.Is(err, leadership.ErrServeFailed) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("a ServeFunc error came back as %v, want ErrServeFailed with its message", err)
	}

	// Requests keep flowing through the cut; each one is retried until a
	// leader answers.
	answers := make(chan string, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 40 {
			got, err := ask(t, client, "during")
			if err != nil {
				answers <- "error: " + err.Error()
				return
			}
			answers <- got
		}
	}()
	proxy.Blackhole()
	if r := await(t, first.demoted, "first's demotion after the cut"); r != leadership.ReasonRenewDeadline {
		t.Fatalf("first demoted for %v", r)
	}
	await(t, second.promoted, "second's promotion")
	<-done
	close(answers)
	var fromSecond int
	for a := range answers {
		switch a {
		case "second":
			fromSecond++
		case "first":
		default:
			t.Fatalf("a request during the failover failed: %s", a)
		}
	}
	if fromSecond == 0 {
		t.Fatal("no request during the failover reached the successor")
	}

	// With the link back, the demoted leader must not serve: it
	// unsubscribed before its Demoted was delivered.
	proxy.Heal()
	eventually(t, wait, "the demoted leader's link to work again", func() bool { return firstConn.FlushTimeout(100*time.Millisecond) == nil })
	for range 20 {
		if got, err := ask(t, client, "after"); err != nil || got != "second" {
			t.Fatalf("request after the heal: %q, %v; want second", got, err)
		}
	}
	// A round trip on the demoted leader's link: what the server sent it
	// before has been read.
	if err := firstConn.FlushTimeout(wait); err != nil {
		t.Fatal(err)
	}
	if n := first.servedAfterDemo.Load(); n != 0 {
		t.Fatalf("the demoted leader served %d requests", n)
	}
}

func TestRequestWithoutLeaderReturnsErrNoLeader(t *testing.T) {
	srv := natstest.RunServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := leadership.Request(ctx, connect(t, srv.URL()), leadership.DefaultBucket, "nobody", nil)
	if !errors.Is(err, leadership.ErrNoLeader) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Request without a leader: %v, want ErrNoLeader and the deadline", err)
	}
}

func TestResignThroughControlSubject(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	nc := connect(t, srv.URL())
	// Dots in an instance ID are escaped into one subject token.
	leader := startServer(t, system, connect(t, srv.URL()), "ctl", "host.example.com-1")
	tok := await(t, leader.promoted, "the leader's promotion")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if _, err := leadership.RequestResign(short, nc, leadership.DefaultBucket, "ctl", "someone-else"); !errors.Is(err, leadership.ErrNoLeader) {
		t.Fatalf("resign of a non-leader: %v, want ErrNoLeader", err)
	}
	got, err := leadership.RequestResign(ctx, nc, leadership.DefaultBucket, "ctl", "host.example.com-1")
	if err != nil || got != tok {
		t.Fatalf("resign: %v, %v; want token %v", got, err, tok)
	}
	if r := await(t, leader.demoted, "the demotion"); r != leadership.ReasonResigned {
		t.Fatalf("demoted for %v, want resigned", r)
	}
	// The answer came after the release: the key is free or someone else's.
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(leadership.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get("ctl"); err == nil && e.Revision() == tok.Revision {
		t.Fatalf("the lease of term %d is still held after the resign was answered", tok.Revision)
	}
}

func TestProxyActorForwardsToLeader(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	leader := startServer(t, system, connect(t, srv.URL()), "behind-proxy", "lead")
	await(t, leader.promoted, "the leader's promotion")
	pid := system.Root.Spawn(leadership.NewProxyProps(connect(t, srv.URL()), leadership.DefaultBucket, "behind-proxy"))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	res, err := system.Root.RequestFuture(pid, &leadership.ProxyRequest{Data: []byte("hi"), Timeout: wait}, wait).Result()
	if err != nil {
		t.Fatal(err)
	}
	if r := res.(*leadership.ProxyReply); r.Err != nil || string(r.Data) != "lead" {
		t.Fatalf("proxy reply %q, %v; want lead", r.Data, r.Err)
	}
}

func TestHandOffThroughControlSubject(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	nc := connect(t, srv.URL())
	leader := startServer(t, system, connect(t, srv.URL()), "ctl-handoff", "first")
	tok := await(t, leader.promoted, "the first candidate's promotion")
	next := startServer(t, system, connect(t, srv.URL()), "ctl-handoff", "named")
	eventually(t, wait, "the named candidate to be registered", func() bool {
		for _, c := range leader.e.Candidates() {
			if c.InstanceID == "named" {
				return true
			}
		}
		return false
	})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := leadership.RequestHandOff(ctx, nc, leadership.DefaultBucket, "ctl-handoff", "first", "nobody"); !errors.Is(err, leadership.ErrNoSuccessor) {
		t.Fatalf("handoff to a candidate that is not registered: %v, want ErrNoSuccessor", err)
	}
	got, err := leadership.RequestHandOff(ctx, nc, leadership.DefaultBucket, "ctl-handoff", "first", "named")
	if err != nil || got != tok {
		t.Fatalf("handoff: %v, %v; want token %v", got, err, tok)
	}
	if successor := await(t, next.promoted, "the named candidate's promotion"); !successor.Supersedes(tok) || successor == tok {
		t.Fatalf("successor token %v does not supersede %v", successor, tok)
	}
}
