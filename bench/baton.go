package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// promotion is one OnPromote: who, and when.
type promotion struct {
	who int
	at  time.Time
}

// batonGroup is n Baton candidates of one role on one server.
type batonGroup struct {
	system    *actor.ActorSystem
	conns     []*nats.Conn
	elections []leadership.Election
	stopped   []bool
	promoted  chan promotion
}

// quietActorSystem is an actor system that logs nothing: its logs would
// only interleave with the bench's output (and, in a candidate process,
// with the lines the bench reads).
func quietActorSystem() *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
}

// newBatonGroup starts n candidates with cfg (Conn, Role and InstanceID
// are set here) on the server at url, and waits until one leads and every
// candidate sees all the others in the registry.
func newBatonGroup(url string, n int, role string, cfg leadership.Config) (*batonGroup, error) {
	g := &batonGroup{
		system:   quietActorSystem(),
		promoted: make(chan promotion, 4*n+16),
	}
	for range min(n, 8) {
		nc, err := nats.Connect(url, nats.ReconnectBufSize(-1))
		if err != nil {
			g.close()
			return nil, err
		}
		g.conns = append(g.conns, nc)
	}
	for i := range n {
		c := cfg
		c.Conn, c.Role, c.InstanceID = g.conns[i%len(g.conns)], role, fmt.Sprintf("c%04d", i)
		e, err := leadership.NewElection(g.system, c)
		if err != nil {
			g.close()
			return nil, err
		}
		e.OnPromote(func(context.Context, leadership.Token) { g.promoted <- promotion{who: i, at: time.Now()} })
		if err := e.Start(context.Background()); err != nil {
			g.close()
			return nil, err
		}
		g.elections = append(g.elections, e)
		g.stopped = append(g.stopped, false)
	}
	if _, err := g.awaitPromotion(30 * time.Second); err != nil {
		g.close()
		return nil, err
	}
	if err := g.settle(n, 60*time.Second); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// awaitPromotion waits for the next OnPromote.
func (g *batonGroup) awaitPromotion(timeout time.Duration) (promotion, error) {
	select {
	case p := <-g.promoted:
		return p, nil
	case <-time.After(timeout):
		return promotion{}, fmt.Errorf("no promotion within %v", timeout)
	}
}

// drain forgets promotions already reported, so the next one waited for
// is the one the next operation causes.
func (g *batonGroup) drain() {
	for {
		select {
		case <-g.promoted:
		default:
			return
		}
	}
}

// leader returns the index of the candidate that leads, or -1.
func (g *batonGroup) leader() int {
	for i, e := range g.elections {
		if !g.stopped[i] && e.IsLeader() {
			return i
		}
	}
	return -1
}

// settle waits until every running candidate sees the same leader and
// registry of n candidates: a handover is measured from a settled state.
func (g *batonGroup) settle(n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		l := g.leader()
		ok := l >= 0
		for i, e := range g.elections {
			if !ok {
				break
			}
			if g.stopped[i] {
				continue
			}
			st := e.Status()
			ok = st.Leader == fmt.Sprintf("c%04d", l) && len(st.Candidates) == n
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("candidates did not settle within %v", timeout)
		}
		time.Sleep(time.Millisecond) // the state is a snapshot: polled, between timed operations
	}
}

// attempts sums the acquisitions every candidate has started.
func (g *batonGroup) attempts() uint64 {
	var sum uint64
	for _, e := range g.elections {
		sum += e.Status().Acquisition.Attempts
	}
	return sum
}

// close stops every candidate and the connections.
func (g *batonGroup) close() {
	for i, e := range g.elections {
		if !g.stopped[i] {
			_ = e.StopWithContext(context.Background(), leadership.StopOptions{NoWait: true})
		}
	}
	for _, nc := range g.conns {
		nc.Close()
	}
	g.system.Shutdown()
}

// batonHandover measures runs graceful handovers among n candidates with
// the default config: from Resign to the successor's OnPromote.
func batonHandover(url string, n, runs int, system string) (result, error) {
	r := result{scenario: "graceful handover", system: system, n: n}
	g, err := newBatonGroup(url, n, fmt.Sprintf("handover-%d", n), leadership.Config{})
	if err != nil {
		return r, err
	}
	defer g.close()
	before := g.attempts()
	for range runs {
		l := g.leader()
		g.drain()
		start := time.Now()
		if err := g.elections[l].Resign(context.Background()); err != nil {
			return r, err
		}
		p, err := g.awaitPromotion(10 * time.Second)
		if err != nil {
			return r, err
		}
		r.durations = append(r.durations, p.at.Sub(start))
		if err := g.settle(n, 10*time.Second); err != nil {
			return r, err
		}
	}
	r.creates = float64(g.attempts()-before) / float64(runs)
	return r, nil
}

// batonFreed measures leases freed by a leader that stops (and releases)
// among n candidates: the creates all candidates make per failover, and
// the time from Stop to the successor's promotion.
func batonFreed(url string, n, runs int, standBy time.Duration) (result, error) {
	r := result{scenario: "freed lease (leader stops)", system: "baton", n: n}
	if standBy != 0 {
		r.note = fmt.Sprintf("Succession.StandBy %v", standBy)
	}
	g, err := newBatonGroup(url, n, fmt.Sprintf("freed-%d-%d", n, standBy), leadership.Config{Succession: leadership.Succession{StandBy: standBy}})
	if err != nil {
		return r, err
	}
	defer g.close()
	for i := range runs {
		l := g.leader()
		before := g.attempts()
		g.drain()
		start := time.Now()
		g.stopped[l] = true
		if err := g.elections[l].StopWithContext(context.Background(), leadership.StopOptions{NoWait: true}); err != nil {
			return r, err
		}
		p, err := g.awaitPromotion(10 * time.Second)
		if err != nil {
			return r, err
		}
		r.durations = append(r.durations, p.at.Sub(start))
		if err := g.settle(n-1-i, 30*time.Second); err != nil {
			return r, err
		}
		// Stand-by timers end after Succession.StandBy: count the creates
		// once they would have fired.
		time.Sleep(max(standBy, leadership.DefaultTTL/10) + leadership.DefaultCampaignJitter)
		r.creates += float64(g.attempts() - before)
	}
	r.creates /= float64(runs)
	return r, nil
}

// batonCrash measures crash failover among n candidates with TTL ttl: the
// leader stops renewing without releasing; X is the time from the crash to
// the successor's promotion, less TTL.
func batonCrash(url string, n, runs int, ttl time.Duration) (result, error) {
	r := result{scenario: fmt.Sprintf("crash failover, X in TTL+X (TTL %v)", ttl), system: "baton", n: n + runs}
	g, err := newBatonGroup(url, n+runs, "crash", leadership.Config{TTL: ttl})
	if err != nil {
		return r, err
	}
	defer g.close()
	for i := range runs {
		l := g.leader()
		start := time.Now()
		g.stopped[l] = true
		if err := g.elections[l].StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true}); err != nil {
			return r, err
		}
		p, err := g.awaitPromotion(3 * ttl)
		if err != nil {
			return r, err
		}
		r.durations = append(r.durations, p.at.Sub(start)-ttl)
		if err := g.settle(n+runs-1-i, 30*time.Second); err != nil {
			return r, err
		}
	}
	r.creates = -1
	return r, nil
}
