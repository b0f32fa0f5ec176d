package leadership_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
)

// callbackLog checks the callback contract while it records: callbacks never
// overlap and every OnDemote follows an OnPromote.
type callbackLog struct {
	t          *testing.T
	running    atomic.Int32
	leading    atomic.Bool
	promotions chan leadership.Token
	demotions  chan leadership.DemoteReason
	termEnded  chan time.Time // when an OnPromote saw its context cancelled
}

func watchCallbacks(t *testing.T, e leadership.Election, holdPromote bool) *callbackLog {
	l := &callbackLog{
		t:          t,
		promotions: make(chan leadership.Token, 16),
		demotions:  make(chan leadership.DemoteReason, 16),
		termEnded:  make(chan time.Time, 16),
	}
	e.OnPromote(func(ctx context.Context, tok leadership.Token) {
		l.enter()
		defer l.leave()
		if l.leading.Swap(true) {
			t.Errorf("OnPromote(%v) while already leading", tok)
		}
		l.promotions <- tok
		if holdPromote {
			<-ctx.Done() // leader work runs until the term ends
			l.termEnded <- time.Now()
		}
	})
	e.OnDemote(func(_ context.Context, r leadership.DemoteReason) {
		l.enter()
		defer l.leave()
		if !l.leading.Swap(false) {
			t.Errorf("OnDemote(%v) without a preceding OnPromote", r)
		}
		l.demotions <- r
	})
	return l
}

func (l *callbackLog) enter() {
	if l.running.Add(1) != 1 {
		l.t.Error("callbacks overlap")
	}
}

func (l *callbackLog) leave() { l.running.Add(-1) }

func (l *callbackLog) promoted(t *testing.T) leadership.Token {
	t.Helper()
	select {
	case tok := <-l.promotions:
		return tok
	case <-time.After(wait):
		t.Fatalf("waited %v for OnPromote", wait)
		return leadership.Token{}
	}
}

func (l *callbackLog) demoted(t *testing.T) leadership.DemoteReason {
	t.Helper()
	select {
	case r := <-l.demotions:
		return r
	case <-time.After(wait):
		t.Fatalf("waited %v for OnDemote", wait)
		return ""
	}
}

func startElection(t *testing.T, cfg leadership.Config) leadership.Election {
	t.Helper()
	e, err := leadership.NewElection(newSystem(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFacadeCallbackContract(t *testing.T) {
	srv := natstest.RunServer(t)
	e := startElection(t, fastConfig(connect(t, srv.URL()), "facade", "a"))
	log := watchCallbacks(t, e, true)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok := log.promoted(t)
	if !e.IsLeader() || e.Token() != tok || e.LeaderID() != "a" {
		t.Fatalf("after OnPromote: IsLeader %v, Token %v, LeaderID %q; want true, %v, a", e.IsLeader(), e.Token(), e.LeaderID(), tok)
	}
	if err := e.ValidateToken(context.Background()); err != nil {
		t.Fatalf("ValidateToken: %v", err)
	}
	// Resign ends the term: OnPromote's context is cancelled and OnDemote
	// runs after OnPromote returned.
	if err := e.Resign(context.Background()); err != nil {
		t.Fatalf("Resign: %v", err)
	}
	select {
	case <-log.termEnded:
	case <-time.After(wait):
		t.Fatal("OnPromote's context was not cancelled by Resign")
	}
	if r := log.demoted(t); r != leadership.ReasonResigned {
		t.Fatalf("OnDemote reason %v, want resigned", r)
	}
	if err := e.ValidateToken(context.Background()); !errors.Is(err, leadership.ErrNotLeader) {
		t.Fatalf("ValidateToken after resigning: %v, want ErrNotLeader", err)
	}
	if err := e.Resign(context.Background()); !errors.Is(err, leadership.ErrNotLeader) {
		t.Fatalf("Resign when not leading: %v, want ErrNotLeader", err)
	}
	// Alone, it campaigns again after the hold-off and wins a later term.
	next := log.promoted(t)
	if !next.Supersedes(tok) || next == tok {
		t.Fatalf("second term %v does not supersede %v", next, tok)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if r := log.demoted(t); r != leadership.ReasonStopped {
		t.Fatalf("OnDemote on stop: %v, want stopped", r)
	}
	if e.IsLeader() || e.Status().State != "stopped" {
		t.Fatalf("after Stop: IsLeader %v, state %q", e.IsLeader(), e.Status().State)
	}
}

func TestFacadeStopWithoutDeleteLeavesLease(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := connect(t, srv.URL())
	e := startElection(t, fastConfig(nc, "keep", "a"))
	log := watchCallbacks(t, e, false)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok := log.promoted(t)
	if err := e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true}); err != nil {
		t.Fatal(err)
	}
	if r := log.demoted(t); r != leadership.ReasonStopped {
		t.Fatalf("OnDemote reason %v, want stopped", r)
	}
	store, err := transport.Open(context.Background(), nc, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	entry, err := store.Get(context.Background(), "keep")
	if err != nil || entry.Term() != tok.Revision {
		t.Fatalf("lease after stop without delete: %+v, %v; want term %d still held", entry, err, tok.Revision)
	}
}

func TestFacadeStartErrors(t *testing.T) {
	noJS := natstest.RunServerWithOptions(t, natstest.Options{JetStream: false})
	e := startElection(t, fastConfig(connect(t, noJS.URL()), "r", "a"))
	if err := e.Start(context.Background()); !errors.Is(err, leadership.ErrNoJetStream) {
		t.Fatalf("Start on a server without JetStream: %v, want ErrNoJetStream", err)
	}
	// A Start that failed ran nothing: it may be tried again, and fails
	// again for the same reason.
	if err := e.Start(context.Background()); !errors.Is(err, leadership.ErrNoJetStream) {
		t.Fatalf("second Start after a failed one: %v, want ErrNoJetStream again", err)
	}

	srv := natstest.RunServer(t)
	closed := connect(t, srv.URL())
	closed.Close()
	e = startElection(t, fastConfig(closed, "r", "a"))
	if err := e.Start(context.Background()); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Start on a closed connection: %v, want ErrClosed", err)
	}
	if _, err := leadership.NewElection(nil, fastConfig(closed, "r", "a")); !errors.Is(err, leadership.ErrInvalidConfig) {
		t.Fatalf("NewElection without a system: %v, want ErrInvalidConfig", err)
	}
	unstarted := startElection(t, fastConfig(closed, "r", "a"))
	if err := unstarted.Resign(context.Background()); !errors.Is(err, leadership.ErrNotStarted) {
		t.Fatalf("Resign before Start: %v, want ErrNotStarted", err)
	}
}

// TestStartRidesOutASlowServer: a server that does not answer within
// OpTimeout while Start opens the bucket makes Start try again, not fail;
// once the server answers, Start returns and the election leads.
func TestStartRidesOutASlowServer(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	system := newSystem(t)
	events := record(t, system)
	cfg := fastConfig(connect(t, proxy.URL()), "slow-start", "only")
	e, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Each way slower than OpTimeout: every request times out, nothing is lost.
	proxy.SetLatency(cfg.Timings.OpTimeout, 0)
	started := make(chan error, 1)
	go func() { started <- e.Start(context.Background()) }()
	// Still trying after three times OpTimeout: the attempts time out.
	select {
	case err := <-started:
		t.Fatalf("Start returned %v while the server did not answer; want it to keep trying", err)
	case <-time.After(3 * cfg.Timings.OpTimeout):
	}
	proxy.Heal()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Start after the server answered again: %v", err)
		}
	case <-time.After(10 * cfg.Timings.OpTimeout):
		t.Fatalf("waited %v for Start to return after the server answered again", 10*cfg.Timings.OpTimeout)
	}
	t.Cleanup(func() { _ = e.StopWithContext(context.Background(), leadership.StopOptions{}) })
	events.await(t, 0, wait, "the promotion once Start returned", promotedOf("only"))
	if !e.IsLeader() {
		t.Fatal("promoted, but IsLeader is false")
	}
}

// TestFacadeResignHandsOverOnlyAfterOnDemote: a planned handover writes the
// release (or offer) only once OnDemote has returned, so the successor's
// OnPromote never starts while the old leader's work is still stopping.
func TestFacadeResignHandsOverOnlyAfterOnDemote(t *testing.T) {
	srv := natstest.RunServer(t)
	const stopping = 300 * time.Millisecond // how long the old leader's work takes to stop
	a := startElection(t, fastConfig(connect(t, srv.URL()), "drain", "a"))
	aLeads := make(chan struct{}, 1)
	aStopped := make(chan time.Time, 1)
	a.OnPromote(func(context.Context, leadership.Token) { aLeads <- struct{}{} })
	a.OnDemote(func(context.Context, leadership.DemoteReason) {
		time.Sleep(stopping) // the work being stopped, not a wait for an event
		aStopped <- time.Now()
	})
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Stop() })
	select {
	case <-aLeads:
	case <-time.After(wait):
		t.Fatalf("waited %v for a to lead", wait)
	}
	b := startElection(t, fastConfig(connect(t, srv.URL()), "drain", "b"))
	bLeads := make(chan time.Time, 1)
	b.OnPromote(func(context.Context, leadership.Token) { bLeads <- time.Now() })
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Stop() })
	if err := a.Resign(context.Background()); err != nil {
		t.Fatalf("Resign: %v", err)
	}
	var stopped, promoted time.Time
	select {
	case stopped = <-aStopped:
	case <-time.After(wait):
		t.Fatalf("waited %v for a's OnDemote to return", wait)
	}
	select {
	case promoted = <-bLeads:
	case <-time.After(wait):
		t.Fatalf("waited %v for b to lead after a resigned", wait)
	}
	if !promoted.After(stopped) {
		t.Fatalf("b led at %v, before a's OnDemote returned at %v", promoted.Format(time.StampMicro), stopped.Format(time.StampMicro))
	}
	t.Logf("b led %v after a's OnDemote returned", promoted.Sub(stopped))
}

// TestStartWithSettingsThatDifferFromTheSharedStoreFailsAtOnce: a second
// election on the same system, connection and bucket whose OpTimeout
// differs from the store's gets ErrInvalidConfig from Start: the election
// fails for good rather than retrying until Start's patience runs out
// (which would return the deadline, with the error only as text), since
// such settings never heal. The first keeps running.
func TestStartWithSettingsThatDifferFromTheSharedStoreFailsAtOnce(t *testing.T) {
	srv := natstest.RunServer(t)
	system := newSystem(t)
	nc := connect(t, srv.URL())
	first, err := leadership.NewElection(system, fastConfig(nc, "shared-a", "a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Stop() })
	cfg := fastConfig(nc, "shared-b", "b")
	cfg.Timings.OpTimeout *= 2
	second, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = second.Start(context.Background())
	if !errors.Is(err, leadership.ErrInvalidConfig) {
		t.Fatalf("Start with another OpTimeout on the shared store: %v, want ErrInvalidConfig", err)
	}
	if st := second.Status(); st.State != leadership.PhaseInactive {
		t.Fatalf("after the failed Start the election is %s; want inactive, nothing running", st.State)
	}
	if !first.Status().Ready {
		t.Fatal("the first election stopped running when the second failed")
	}
}
