//go:build unix

package natstest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// ProcOptions configures a ProcCluster.
type ProcOptions struct {
	// Sync is every node's JetStream sync setting.
	Sync Sync
}

// ProcCluster is a JetStream cluster of server processes named n1..nN on
// 127.0.0.1. Every route between two nodes runs through a fault proxy of its
// own, so a node can be cut from its peers (Isolate) while its clients still
// reach it. The cluster owns its store directories.
type ProcCluster struct {
	// Servers are the nodes, in name order.
	Servers []*ProcServer

	dir        string
	routePorts []int
	// routes[i][j] is the proxy node i dials to reach node j (nil for i == j).
	routes [][]*Proxy
}

// StartProcCluster starts an n-node cluster (n >= 2) of server processes and
// waits until every node is routed to the others and healthy. The processes
// are the current binary re-executed: its main or TestMain must call
// MaybeRunServer first.
func StartProcCluster(n int, opts ProcOptions) (*ProcCluster, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w: cluster size %d is less than 2", ErrInvalidOptions, n)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("natstest: find own executable: %w", err)
	}
	for range startAttempts {
		var c *ProcCluster
		c, err = startProcClusterOnce(exe, n, opts)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, ErrStartFailed) {
			return nil, err
		}
	}
	return nil, err
}

func startProcClusterOnce(exe string, n int, opts ProcOptions) (_ *ProcCluster, err error) {
	dir, err := os.MkdirTemp("", "natstest-proc-")
	if err != nil {
		return nil, fmt.Errorf("natstest: create cluster dir: %w", err)
	}
	c := &ProcCluster{dir: dir}
	defer func() {
		if err != nil {
			c.Shutdown()
		}
	}()
	ports, err := freePorts(3 * n) // client, monitoring and route port of each node
	if err != nil {
		return nil, err
	}
	c.routePorts = ports[2*n:]
	c.routes = make([][]*Proxy, n)
	for i := range n {
		c.routes[i] = make([]*Proxy, n)
		for j := range n {
			if i == j {
				continue
			}
			p, err := NewProxy(fmt.Sprintf("%s:%d", loopback, c.routePorts[j]))
			if err != nil {
				return nil, err
			}
			c.routes[i][j] = p
		}
	}
	for i := range n {
		var urls []string
		for j, p := range c.routes[i] {
			if j != i {
				urls = append(urls, "nats-route://"+p.Addr())
			}
		}
		store := fmt.Sprintf("%s/n%d", dir, i+1)
		if err := os.MkdirAll(store, 0o700); err != nil {
			return nil, fmt.Errorf("natstest: create store dir: %w", err)
		}
		s, err := newProcServer(exe, dir, procConfig{
			name: fmt.Sprintf("n%d", i+1), storeDir: store, port: ports[i], httpPort: ports[n+i], sync: opts.Sync,
			route: &routeConfig{clusterName: ClusterName, port: c.routePorts[i], routes: strings.Join(urls, ",")},
			// Nodes gossip the route address of every peer they meet, and a
			// node dials a gossiped address it has no route to yet, which
			// would bypass the proxies. Advertising the discard port (9,
			// closed on a test machine) makes such a dial fail; the
			// configured routes, through the proxies, carry the cluster.
			routeAdver: loopback + ":9",
		})
		if err != nil {
			return nil, err
		}
		c.Servers = append(c.Servers, s)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, s := range c.Servers {
		wg.Go(func() { errs[i] = s.Start() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.WaitReady(DefaultClusterReadyTimeout); err != nil {
		return nil, err
	}
	return c, nil
}

// URLs returns the client URLs of all nodes, comma-separated.
func (c *ProcCluster) URLs() string {
	urls := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		urls[i] = s.URL()
	}
	return strings.Join(urls, ",")
}

// Isolate cuts node i from every peer: the proxies of its routes, both
// ways, pass no traffic, silently, as a network partition would. Clients
// still reach every node.
//
// The proxies stall the routes rather than blackhole them (see
// Proxy.Stall): over TCP, what a node sends during a partition arrives
// after it, or the connection is closed. A route that lost bytes and lived
// on would leave the rejoined node without the subscriptions its peers made
// meanwhile (a new stream leader's interest in the stream's subjects), so
// it would answer its clients' writes with "no responders" until the route
// reconnects, which no real partition causes.
func (c *ProcCluster) Isolate(i int) {
	for j := range c.Servers {
		if j != i {
			c.routes[i][j].Stall()
			c.routes[j][i].Stall()
		}
	}
}

// HealRoutes ends every route fault; stalled routes deliver what they held.
func (c *ProcCluster) HealRoutes() {
	for i := range c.routes {
		for j, p := range c.routes[i] {
			if j != i {
				p.Heal()
			}
		}
	}
}

// Shutdown stops every node cleanly (killing any that does not stop in
// time), closes the route proxies and removes the store directories.
// Calling it again does nothing.
func (c *ProcCluster) Shutdown() {
	var wg sync.WaitGroup
	for _, s := range c.Servers {
		wg.Go(s.Shutdown)
	}
	wg.Wait()
	for i := range c.routes {
		for _, p := range c.routes[i] {
			if p != nil {
				_ = p.Close()
			}
		}
	}
	_ = os.RemoveAll(c.dir)
}
