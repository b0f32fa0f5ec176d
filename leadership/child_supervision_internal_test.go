package leadership

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/transport"
)

// The watch, connection and registry children under the election's
// supervision (childSupervision), each on a fake of the one interface it
// asks of its store.

// errSubscribe is what a fake store answers a subscription it refuses.
var errSubscribe = errors.New("store refused the subscription")

// feed is a fake store's side of one kind of subscription. It refuses the
// subscriptions a test tells it to, delivers to the live ones when asked,
// and records every one made and whether it was stopped.
type feed[E any] struct {
	made chan struct{} // a signal per subscription made

	mu      sync.Mutex
	refusal int  // subscriptions still to refuse
	always  bool // refuse every subscription
	asked   int  // subscriptions asked for, refused or not
	subs    []*subscription[E]
	overlap int // subscriptions made while an earlier one was live
}

func newFeed[E any]() *feed[E] { return &feed[E]{made: make(chan struct{}, 64)} }

// subscription is one subscription of a feed.
type subscription[E any] struct {
	feed    *feed[E]
	notify  func(E)
	stopped bool // guarded by feed.mu
}

// Stop implements transport.Watch.
func (s *subscription[E]) Stop() {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	s.stopped = true
}

// subscribe makes a subscription, or refuses it.
func (f *feed[E]) subscribe(notify func(E)) (transport.Watch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	if f.refusal > 0 {
		f.refusal--
		return nil, errSubscribe
	}
	if f.always {
		return nil, errSubscribe
	}
	if f.liveLocked() > 0 {
		f.overlap++
	}
	f.subs = append(f.subs, &subscription[E]{feed: f, notify: notify})
	f.made <- struct{}{}
	return f.subs[len(f.subs)-1], nil
}

// deliver calls every live subscription's notify with ev, as the store's
// delivery goroutine would, and returns how many it called. It holds the
// lock, so a stopped subscription is never called after Stop returned.
func (f *feed[E]) deliver(ev E) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.subs {
		if !s.stopped {
			s.notify(ev)
			n++
		}
	}
	return n
}

func (f *feed[E]) liveLocked() int {
	n := 0
	for _, s := range f.subs {
		if !s.stopped {
			n++
		}
	}
	return n
}

// feedReport is what a feed saw.
type feedReport struct {
	asked, made, live, overlap int
}

func (r feedReport) String() string {
	return fmt.Sprintf("%d asked, %d made, %d live, %d made while another was live", r.asked, r.made, r.live, r.overlap)
}

// subscriptions is a feed seen by a test, whatever it carries.
type subscriptions interface {
	refuse(n int)
	refuseAll()
	awaitMade(t *testing.T, what string)
	report() feedReport
}

func (f *feed[E]) refuse(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusal = n
}

func (f *feed[E]) refuseAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.always = true
}

func (f *feed[E]) awaitMade(t *testing.T, what string) {
	t.Helper()
	select {
	case <-f.made:
	case <-time.After(5 * time.Second):
		t.Fatalf("waited 5s for %s (%v)", what, f.report())
	}
}

func (f *feed[E]) report() feedReport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return feedReport{asked: f.asked, made: len(f.subs), live: f.liveLocked(), overlap: f.overlap}
}

// fakeKeys is the watch child's store.
type fakeKeys struct{ keys *feed[transport.KeyEvent] }

func (s fakeKeys) Watch(_ string, notify func(transport.KeyEvent), _ ...transport.WatchOption) (transport.Watch, error) {
	return s.keys.subscribe(notify)
}

// fakeConnection is the connection child's store. WatchConnection cannot
// return an error: a refused subscription panics, as a store that fails
// there would.
type fakeConnection struct{ conn *feed[transport.ConnEvent] }

func (s fakeConnection) WatchConnection(notify func(transport.ConnEvent)) transport.Watch {
	w, err := s.conn.subscribe(notify)
	if err != nil {
		panic(err)
	}
	return w
}

// fakeRegistry is the registry child's store: an entry is a subscription
// that delivers nothing.
type fakeRegistry struct {
	order   *feed[[]transport.Candidate]
	entries *feed[struct{}]
}

func (s fakeRegistry) WatchCandidates(_ string, notify func([]transport.Candidate)) (transport.Watch, error) {
	return s.order.subscribe(notify)
}

func (s fakeRegistry) Register(string, transport.Candidate, time.Duration) (transport.Watch, error) {
	return s.entries.subscribe(nil)
}

var (
	_ keyWatcher        = fakeKeys{}
	_ connectionWatcher = fakeConnection{}
	_ candidateRegistry = fakeRegistry{}
)

// childFixture is one child on its fake store.
type childFixture struct {
	props *actor.Props
	// setup is the parent's answer to the child's request for its setup.
	setup any
	// feeds are the store's subscriptions in the order the child makes
	// them when it starts: it is running once the last is made.
	feeds []subscriptions
	// deliver sends one event through the live subscriptions and returns
	// how many carried it; delivered tells that event's message to the
	// parent.
	deliver   func() int
	delivered func(msg any) bool
}

// last is the subscription a start makes last.
func (f childFixture) last() subscriptions { return f.feeds[len(f.feeds)-1] }

func watchFixture() childFixture {
	keys := newFeed[transport.KeyEvent]()
	ev := transport.KeyEvent{Kind: transport.KeyPut, Entry: transport.Entry{Role: "r", Revision: 42}}
	return childFixture{
		props:   watchProps,
		setup:   &watchSetup{store: fakeKeys{keys}, role: "r", candidate: "c", newestKey: new(atomic.Pointer[keyObserved])},
		feeds:   []subscriptions{keys},
		deliver: func() int { return keys.deliver(ev) },
		delivered: func(msg any) bool {
			m, ok := msg.(*keyObserved)
			return ok && m.event.Entry.Revision == 42
		},
	}
}

func connectionFixture() childFixture {
	conn := newFeed[transport.ConnEvent]()
	ev := transport.ConnEvent{State: transport.Disconnected, At: time.Now()}
	return childFixture{
		props:   connectionProps,
		setup:   &connectionSetup{store: fakeConnection{conn}},
		feeds:   []subscriptions{conn},
		deliver: func() int { return conn.deliver(ev) },
		delivered: func(msg any) bool {
			m, ok := msg.(*connChanged)
			return ok && m.event.State == transport.Disconnected
		},
	}
}

func registryFixture() childFixture {
	store := fakeRegistry{order: newFeed[[]transport.Candidate](), entries: newFeed[struct{}]()}
	order := []transport.Candidate{{InstanceID: "b", Priority: 3}}
	return childFixture{
		props:   registryProps,
		setup:   &registrySetup{store: store, role: "r", candidate: transport.Candidate{InstanceID: "a"}, ttl: time.Second},
		feeds:   []subscriptions{store.order, store.entries},
		deliver: func() int { return store.order.deliver(order) },
		delivered: func(msg any) bool {
			m, ok := msg.(*candidatesChanged)
			return ok && len(m.order) == 1 && m.order[0].InstanceID == "b"
		},
	}
}

// childParent supervises one child as an election does, answers its
// requests for its setup, and hands the test what else the child and its
// supervision send it.
type childParent struct {
	props  *actor.Props
	setup  any
	child  *actor.PID
	events chan any
}

// restartChild asks a childParent to restart its child as supervision
// does after a failure. The watch and connection children can fail only
// before they hold a subscription; this restarts one that holds one.
type restartChild struct{}

func (p *childParent) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		p.child = ctx.Spawn(p.props)
		p.events <- p.child
	case *childStarted:
		ctx.Respond(p.setup)
	case *restartChild:
		supervisor, ok := ctx.(actor.Supervisor)
		if !ok {
			p.events <- fmt.Errorf("the parent's context %T cannot restart a child", ctx)
			return
		}
		supervisor.RestartChildren(p.child)
	case *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		p.events <- ctx.Message()
	}
}

// spawnSupervised starts f's child under a parent with the election's
// supervision, and returns the system, the parent, the child and what the
// parent hears.
func spawnSupervised(t *testing.T, f childFixture) (*actor.ActorSystem, *actor.PID, *actor.PID, chan any) {
	t.Helper()
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	events := make(chan any, 64)
	parent := system.Root.Spawn(actor.PropsFromProducer(
		func() actor.Actor { return &childParent{props: f.props, setup: f.setup, events: events} },
		actor.WithSupervisor(childSupervision(200*time.Millisecond))))
	t.Cleanup(func() { _ = system.Root.StopFuture(parent).Wait() })
	child := await[*actor.PID](t, events, "the parent to spawn its child")
	return system, parent, child, events
}

// awaitDelivery delivers one event through the fake store and waits for
// it to reach the parent.
func awaitDelivery(t *testing.T, f childFixture, events chan any) {
	t.Helper()
	if n := f.deliver(); n != 1 {
		t.Fatalf("the store delivered through %d live subscriptions, want 1", n)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case msg := <-events:
			if err, ok := msg.(error); ok {
				t.Fatal(err)
			}
			if f.delivered(msg) {
				return
			}
		case <-deadline:
			t.Fatal("waited 5s for the event delivered by the store to reach the parent")
		}
	}
}

// awaitGivenUp waits for the parent to hear that child was given up and
// that it stopped (the order of the two is not fixed: *actor.Terminated is
// a system message), and returns the reason given.
func awaitGivenUp(t *testing.T, events chan any, child *actor.PID) any {
	t.Helper()
	var reason any
	gaveUp, stopped := false, false
	deadline := time.After(10 * time.Second)
	for !gaveUp || !stopped {
		select {
		case msg := <-events:
			switch m := msg.(type) {
			case *actors.ChildGaveUp:
				if !m.Child.Equal(child) {
					t.Fatalf("ChildGaveUp names %v, want the child %v", m.Child, child)
				}
				gaveUp, reason = true, m.Reason
			case *actor.Terminated:
				stopped = stopped || m.Who.Equal(child)
			}
		case <-deadline:
			t.Fatalf("waited 10s for the parent to hear its child was given up (heard %v) and stopped (%v)", gaveUp, stopped)
		}
	}
	return reason
}

// subscriptionFailures are the subscriptions a child makes that a test can
// refuse: a fixture, and which of its feeds refuses.
var subscriptionFailures = []struct {
	name    string
	fixture func() childFixture
	failing int
}{
	{"watch", watchFixture, 0},
	{"connection", connectionFixture, 0},
	{"registry order", registryFixture, 0},
	{"registry entry", registryFixture, 1},
}

func TestChildThatFailsToSubscribeOnceIsRestartedAndDelivers(t *testing.T) {
	for _, tc := range subscriptionFailures {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fixture()
			f.feeds[tc.failing].refuse(1)
			_, _, _, events := spawnSupervised(t, f)
			// The first start fails; the supervisor restarts the child,
			// which subscribes again.
			f.last().awaitMade(t, "the restarted child to subscribe")
			for i, s := range f.feeds {
				// A start that failed after a subscription (the registry
				// watches its order, then registers) leaves it stopped.
				if r := s.report(); r.live != 1 || r.overlap != 0 {
					t.Fatalf("subscription %d: %v; want one live, the failed start's stopped before the next was made", i, r)
				}
			}
			if r := f.feeds[tc.failing].report(); r.asked != 2 {
				t.Fatalf("the refused subscription was asked for %d times, want 2 (refused, then made by the restart)", r.asked)
			}
			awaitDelivery(t, f, events)
		})
	}
}

func TestChildRestartedStopsItsSubscriptionsFirst(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixture func() childFixture
	}{
		{"watch", watchFixture},
		{"connection", connectionFixture},
		{"registry", registryFixture},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fixture()
			system, parent, _, events := spawnSupervised(t, f)
			f.last().awaitMade(t, "the child to subscribe")
			system.Root.Send(parent, &restartChild{})
			f.last().awaitMade(t, "the restarted child to subscribe again")
			for i, s := range f.feeds {
				if r := s.report(); r.made != 2 || r.live != 1 || r.overlap != 0 {
					t.Fatalf("subscription %d: %v; want 2 made, the first stopped before the second", i, r)
				}
			}
			awaitDelivery(t, f, events)
			if err := system.Root.StopFuture(parent).Wait(); err != nil {
				t.Fatalf("stopping the parent: %v", err)
			}
			for i, s := range f.feeds {
				if r := s.report(); r.live != 0 {
					t.Fatalf("subscription %d after the child stopped: %v; want none live", i, r)
				}
			}
		})
	}
}

func TestChildThatKeepsFailingToSubscribeIsGivenUp(t *testing.T) {
	for _, tc := range subscriptionFailures {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fixture()
			failing := f.feeds[tc.failing]
			failing.refuseAll()
			_, _, child, events := spawnSupervised(t, f)
			reason := awaitGivenUp(t, events, child)
			if err, ok := reason.(error); !ok || !errors.Is(err, errSubscribe) {
				t.Fatalf("given up for %v, want the store's refusal %v", reason, errSubscribe)
			}
			// The first start and every restart the supervision allows
			// asked once.
			if r, want := failing.report(), actors.DefaultMaxRestarts+1; r.asked != want {
				t.Fatalf("the refused subscription: %v; want %d asked", r, want)
			}
			for i, s := range f.feeds {
				if r := s.report(); r.live != 0 {
					t.Fatalf("subscription %d of a child given up: %v; want none live", i, r)
				}
			}
		})
	}
}
