package main

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"
)

// etcdCandidate is one candidate of client/v3/concurrency's Election: a
// session (a lease kept alive) and an election on a prefix.
type etcdCandidate struct {
	id       int
	session  *concurrency.Session
	election *concurrency.Election
}

// etcdGroup is n etcd candidates of one election, each campaigning in a
// loop: Campaign, report the promotion, wait to be told to resign, Resign,
// campaign again (at the back of etcd's queue).
type etcdGroup struct {
	clients  []*clientv3.Client
	cands    []*etcdCandidate
	promoted chan promotion
	resign   []chan bool // true: resign; false: stop without resigning (a crash)
	cancel   context.CancelFunc
	ctx      context.Context
	pfx      string // every candidate's key starts with it
}

// newEtcdGroup starts n candidates with session TTL ttl.
func newEtcdGroup(endpoint string, n int, prefix string, ttl time.Duration) (*etcdGroup, error) {
	ctx, cancel := context.WithCancel(context.Background())
	g := &etcdGroup{promoted: make(chan promotion, 4*n+16), cancel: cancel, ctx: ctx, pfx: prefix + "/"}
	for range min(n, 8) {
		c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			g.close()
			return nil, err
		}
		g.clients = append(g.clients, c)
	}
	for i := range n {
		s, err := concurrency.NewSession(g.clients[i%len(g.clients)], concurrency.WithTTL(int(ttl/time.Second)))
		if err != nil {
			g.close()
			return nil, err
		}
		c := &etcdCandidate{id: i, session: s, election: concurrency.NewElection(s, prefix)}
		g.cands = append(g.cands, c)
		g.resign = append(g.resign, make(chan bool, 1))
		go g.run(c)
		if i == 0 {
			// The first leads before the others queue up behind it.
			if _, err := g.awaitPromotion(10 * time.Second); err != nil {
				g.close()
				return nil, err
			}
		}
	}
	return g, nil
}

// run is one candidate's loop.
func (g *etcdGroup) run(c *etcdCandidate) {
	for {
		if err := c.election.Campaign(g.ctx, fmt.Sprintf("c%04d", c.id)); err != nil {
			return
		}
		g.promoted <- promotion{who: c.id, at: time.Now()}
		select {
		case <-g.ctx.Done():
			return
		case resign := <-g.resign[c.id]:
			if !resign {
				c.session.Orphan() // stop keeping the lease alive: a crash, as the others see it
				return
			}
			if err := c.election.Resign(g.ctx); err != nil {
				return
			}
		}
	}
}

// awaitPromotion waits for the next promotion.
func (g *etcdGroup) awaitPromotion(timeout time.Duration) (promotion, error) {
	select {
	case p := <-g.promoted:
		return p, nil
	case <-time.After(timeout):
		return promotion{}, fmt.Errorf("no etcd promotion within %v", timeout)
	}
}

// close ends every candidate and client.
func (g *etcdGroup) close() {
	g.cancel()
	for _, c := range g.cands {
		_ = c.session.Close()
	}
	for _, c := range g.clients {
		_ = c.Close()
	}
}

// etcdHandover measures runs graceful handovers among n candidates: from
// Resign to the next candidate's Campaign returning.
func etcdHandover(endpoint string, n, runs int) (result, error) {
	r := result{scenario: "graceful handover", system: "etcd", n: n, creates: -1}
	g, err := newEtcdGroup(endpoint, n, fmt.Sprintf("/handover-%d", n), 10*time.Second)
	if err != nil {
		return r, err
	}
	defer g.close()
	leader := 0
	if err := g.awaitQueue(n); err != nil {
		return r, err
	}
	for range runs {
		start := time.Now()
		g.resign[leader] <- true
		p, err := g.awaitPromotion(10 * time.Second)
		if err != nil {
			return r, err
		}
		r.durations = append(r.durations, p.at.Sub(start))
		leader = p.who
		if err := g.awaitQueue(n); err != nil {
			return r, err
		}
	}
	return r, nil
}

// awaitQueue waits until n candidates are queued on the election (the one
// that resigned has campaigned again): a handover is measured from a
// settled state, as Baton's is.
func (g *etcdGroup) awaitQueue(n int) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := g.clients[0].Get(g.ctx, g.pfx, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			return err
		}
		if int(resp.Count) >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("etcd queue holds %d of %d candidates", resp.Count, n)
		}
		time.Sleep(time.Millisecond) // the queue is read, not watched: polled between timed operations
	}
}

// etcdCrash measures crash failover: the leader's session stops keeping
// its lease alive; X is the time from then to the next candidate's
// Campaign returning, less TTL.
func etcdCrash(endpoint string, n, runs int, ttl time.Duration) (result, error) {
	r := result{scenario: fmt.Sprintf("crash failover, X in TTL+X (TTL %v)", ttl), system: "etcd", n: n + runs, creates: -1}
	g, err := newEtcdGroup(endpoint, n+runs, "/crash", ttl)
	if err != nil {
		return r, err
	}
	defer g.close()
	leader := 0
	for range runs {
		start := time.Now()
		g.resign[leader] <- false
		p, err := g.awaitPromotion(3*ttl + 5*time.Second)
		if err != nil {
			return r, err
		}
		r.durations = append(r.durations, p.at.Sub(start)-ttl)
		leader = p.who
	}
	return r, nil
}
