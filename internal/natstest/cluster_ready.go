package natstest

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// runningNode is a node that is up, with its index in Cluster.Servers.
type runningNode struct {
	index int
	name  string
	ns    *server.Server
}

func (c *Cluster) running() []runningNode {
	var nodes []runningNode
	for i, s := range c.Servers {
		if ns := s.NATS(); ns != nil && ns.Running() {
			nodes = append(nodes, runningNode{index: i, name: s.Name(), ns: ns})
		}
	}
	return nodes
}

// WaitReady waits until every running node is routed to every other running
// node, a meta leader is elected that sees them all, and every running node is
// current with it. Use it after restarting a node.
func (c *Cluster) WaitReady(timeout time.Duration) error {
	if err := poll(timeout, c.readiness); err != nil {
		return fmt.Errorf("%w: %w", ErrClusterNotReady, err)
	}
	return nil
}

func (c *Cluster) readiness() error {
	nodes := c.running()
	if len(nodes) == 0 {
		return errors.New("no node is running")
	}
	for _, n := range nodes {
		if err := routedToAll(n, nodes); err != nil {
			return err
		}
	}
	var leader *runningNode
	for i := range nodes {
		if nodes[i].ns.JetStreamIsLeader() {
			leader = &nodes[i]
			break
		}
	}
	if leader == nil {
		return errors.New("no JetStream meta leader")
	}
	// The leader counts only peers it has heard from recently, so this also
	// waits until a restarted node has announced itself.
	if online := len(leader.ns.JetStreamClusterPeers()); online < len(nodes) {
		return fmt.Errorf("meta leader %s sees %d of %d running nodes online", leader.name, online, len(nodes))
	}
	for _, n := range nodes {
		if !n.ns.JetStreamIsCurrent() {
			return fmt.Errorf("%s is not current with the meta leader", n.name)
		}
	}
	return nil
}

func routedToAll(n runningNode, nodes []runningNode) error {
	routez, err := n.ns.Routez(&server.RoutezOptions{})
	if err != nil {
		return fmt.Errorf("%s: routes: %w", n.name, err)
	}
	remotes := make(map[string]bool, len(routez.Routes))
	for _, r := range routez.Routes {
		remotes[r.RemoteName] = true
	}
	for _, other := range nodes {
		if other.index != n.index && !remotes[other.name] {
			return fmt.Errorf("%s has no route to %s", n.name, other.name)
		}
	}
	return nil
}

// StreamLeader returns the index in Servers of the running node that leads the
// stream's raft group. The default account is "$G"; a KV bucket "b" is stream
// "KV_b". It returns ErrNoStreamLeader when no node, or more than one, claims it.
func (c *Cluster) StreamLeader(account, stream string) (int, error) {
	var leaders []int
	for _, n := range c.running() {
		if n.ns.JetStreamIsStreamLeader(account, stream) {
			leaders = append(leaders, n.index)
		}
	}
	switch len(leaders) {
	case 1:
		return leaders[0], nil
	case 0:
		return -1, fmt.Errorf("%w: no running node leads stream %q in account %q", ErrNoStreamLeader, stream, account)
	default:
		return -1, fmt.Errorf("%w: nodes %v all claim stream %q in account %q", ErrNoStreamLeader, leaders, stream, account)
	}
}

// WaitStreamLeader waits until exactly one running node leads the stream and
// returns its index in Servers.
func (c *Cluster) WaitStreamLeader(account, stream string, timeout time.Duration) (int, error) {
	leader := -1
	err := poll(timeout, func() error {
		var err error
		leader, err = c.StreamLeader(account, stream)
		return err
	})
	if err != nil {
		return -1, err
	}
	return leader, nil
}
