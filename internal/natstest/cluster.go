package natstest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClusterName is the route cluster name of every cluster started here.
const ClusterName = "baton-test"

// DefaultClusterReadyTimeout bounds how long StartCluster waits for routes and
// the JetStream meta leader. Raft elections take seconds, so it is generous.
const DefaultClusterReadyTimeout = 30 * time.Second

// startAttempts is how often StartCluster tries fresh ports when a node fails
// to start, because a pre-picked port can be taken before the node binds it.
const startAttempts = 3

// Cluster is a JetStream cluster of embedded servers named n1..nN on
// 127.0.0.1. Nodes can be shut down and restarted individually through
// Servers; the cluster owns their store directories.
type Cluster struct {
	// Servers are the nodes, in name order; an index into Servers identifies a
	// node in StreamLeader's result.
	Servers []*Server

	dirs []string
}

// StartCluster starts an n-node JetStream cluster (n >= 2) and waits until
// every node is routed to the others and a meta leader is elected.
func StartCluster(n int) (*Cluster, error) {
	if n < 2 {
		// A lone node with cluster settings runs JetStream unclustered: it never
		// elects a meta leader and leads no raft groups.
		return nil, fmt.Errorf("%w: cluster size %d is less than 2 (use StartServer for one server)", ErrInvalidOptions, n)
	}
	var err error
	for range startAttempts {
		var c *Cluster
		c, err = startClusterOnce(n)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, ErrStartFailed) {
			return nil, err
		}
	}
	return nil, err
}

func startClusterOnce(n int) (*Cluster, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	for i := range n {
		dir, err := os.MkdirTemp("", fmt.Sprintf("natstest-n%d-", i+1))
		if err != nil {
			c.Shutdown()
			return nil, fmt.Errorf("natstest: create store dir: %w", err)
		}
		c.dirs = append(c.dirs, dir)
		c.Servers = append(c.Servers, &Server{node: node{
			name:         fmt.Sprintf("n%d", i+1),
			jetStream:    true,
			storeDir:     dir,
			readyTimeout: DefaultReadyTimeout,
			route: &routeConfig{
				clusterName: ClusterName,
				port:        ports[i],
				routes:      routesExcept(ports, i),
			},
		}})
	}
	for _, s := range c.Servers {
		if err := s.start(); err != nil {
			c.Shutdown()
			return nil, err
		}
	}
	if err := c.WaitReady(DefaultClusterReadyTimeout); err != nil {
		c.Shutdown()
		return nil, err
	}
	return c, nil
}

func routesExcept(ports []int, self int) string {
	routes := make([]string, 0, len(ports)-1)
	for i, p := range ports {
		if i != self {
			routes = append(routes, "nats-route://"+net.JoinHostPort(loopback, strconv.Itoa(p)))
		}
	}
	return strings.Join(routes, ",")
}

// URLs returns the client URLs of all nodes, comma-separated, as nats.Connect
// accepts them. Stopped nodes are included: they come back on the same port.
func (c *Cluster) URLs() string {
	urls := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		urls[i] = s.URL()
	}
	return strings.Join(urls, ",")
}

// Shutdown stops all nodes concurrently, waits for them, and removes their
// store directories. Calling it again does nothing.
func (c *Cluster) Shutdown() {
	var wg sync.WaitGroup
	for _, s := range c.Servers {
		wg.Go(s.Shutdown)
	}
	wg.Wait()
	for _, dir := range c.dirs {
		_ = os.RemoveAll(dir)
	}
}
