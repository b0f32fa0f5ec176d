//go:build unix

package natstest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// WaitReady waits until every running node is routed to every other
// running node through the proxies only, and reports healthy (its meta
// layer and its streams are current). Use it after a restart.
func (c *ProcCluster) WaitReady(timeout time.Duration) error {
	if err := poll(timeout, c.readiness); err != nil {
		return fmt.Errorf("%w: %w", ErrClusterNotReady, err)
	}
	return nil
}

func (c *ProcCluster) readiness() error {
	var running []int
	for i, s := range c.Servers {
		if s.Running() {
			running = append(running, i)
		}
	}
	if len(running) == 0 {
		return errors.New("no node is running")
	}
	for _, i := range running {
		if err := c.routedToAll(i, running); err != nil {
			return err
		}
	}
	for _, i := range running {
		if err := c.Servers[i].healthz(""); err != nil {
			return err
		}
	}
	return c.metaSeesAll(running)
}

// metaSeesAll checks that the meta leader has heard from every other
// running node recently and counts it current: routed, healthy nodes can
// still be missing from the leader's view of the meta group. (Placing a
// replicated stream needs more again, each peer's configuration and
// statistics, which nothing here reads; callers that create one retry
// "no suitable peers for placement".)
func (c *ProcCluster) metaSeesAll(running []int) error {
	m, err := c.Servers[running[0]].meta()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(running, func(i int) bool { return c.Servers[i].Name() == m.Leader })
	if i < 0 {
		return fmt.Errorf("no running node leads the meta group (%s names %q)", c.Servers[running[0]].Name(), m.Leader)
	}
	leader := c.Servers[running[i]]
	if m, err = leader.meta(); err != nil {
		return err
	}
	for _, j := range running {
		name := c.Servers[j].Name()
		if name == leader.Name() {
			continue
		}
		k := slices.IndexFunc(m.Replicas, func(p *server.PeerInfo) bool { return p.Name == name })
		if k < 0 || m.Replicas[k].Offline || !m.Replicas[k].Current {
			return fmt.Errorf("meta leader %s does not see %s online and current", leader.Name(), name)
		}
	}
	return nil
}

// routedToAll checks that node i has a route to every other running node
// and that none of its routes was dialled to a peer's real route port,
// which would bypass the proxies and make Isolate a no-op.
func (c *ProcCluster) routedToAll(i int, running []int) error {
	s := c.Servers[i]
	routes, err := s.Routes()
	if err != nil {
		return err
	}
	remotes := make(map[string]bool, len(routes))
	for _, r := range routes {
		if r.DidSolicit && slices.Contains(c.routePorts, r.Port) {
			return fmt.Errorf("%w: %s dialled %s at its route port %d, bypassing the proxies", errFatal, s.Name(), r.RemoteName, r.Port)
		}
		remotes[r.RemoteName] = true
	}
	for _, j := range running {
		if j != i && !remotes[c.Servers[j].Name()] {
			return fmt.Errorf("%s has no route to %s", s.Name(), c.Servers[j].Name())
		}
	}
	return nil
}

// StreamLeader returns the index of the running node that reports leading
// the stream (account "$G" for the default account, "KV_b" for bucket b).
// It returns ErrNoStreamLeader when no node, or more than one, claims it;
// during a partition an isolated old leader may still claim it.
func (c *ProcCluster) StreamLeader(account, stream string) (int, error) {
	leaders := c.StreamLeaders(account, stream)
	switch len(leaders) {
	case 1:
		return leaders[0], nil
	case 0:
		return -1, fmt.Errorf("%w: no running node leads stream %q in account %q", ErrNoStreamLeader, stream, account)
	default:
		return -1, fmt.Errorf("%w: nodes %v all claim stream %q in account %q", ErrNoStreamLeader, leaders, stream, account)
	}
}

// WaitStreamLeader waits until exactly one running node other than any in
// except leads the stream, and returns its index.
func (c *ProcCluster) WaitStreamLeader(account, stream string, timeout time.Duration, except ...int) (int, error) {
	leader := -1
	err := poll(timeout, func() error {
		i, err := c.StreamLeader(account, stream)
		if err != nil {
			return err
		}
		if slices.Contains(except, i) {
			return fmt.Errorf("%s still leads stream %q", c.Servers[i].Name(), stream)
		}
		leader = i
		return nil
	})
	return leader, err
}

// LastSeq returns the last sequence of the stream as the given node holds it.
func (c *ProcCluster) LastSeq(i int, account, stream string) (uint64, error) {
	sd, ok, err := c.Servers[i].Stream(account, stream)
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, fmt.Errorf("%s has no stream %q", c.Servers[i].Name(), stream)
	}
	return sd.State.LastSeq, nil
}

// StreamLeaders returns the indexes of the running nodes that report
// leading the stream; during a partition an old leader cut off from its
// peers may still report it for a while, next to the majority's new one.
func (c *ProcCluster) StreamLeaders(account, stream string) []int {
	var leaders []int
	for i, s := range c.Servers {
		if !s.Running() {
			continue
		}
		sd, ok, err := s.Stream(account, stream)
		if err == nil && ok && sd.Cluster != nil && sd.Cluster.Leader == s.Name() {
			leaders = append(leaders, i)
		}
	}
	return leaders
}
