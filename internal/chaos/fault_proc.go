package chaos

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// progressed reports whether, in [from, to], a lease write was acknowledged:
// a newer term than prev was accepted by the resource, or a leader reported
// a renewal sent after from.
func (e *env) progressed(l ledger, from, to time.Time, prev leadership.Token) bool {
	if _, ok := l.firstNewTerm(from, to, prev, ""); ok {
		return true
	}
	for _, m := range e.pool {
		for _, b := range l.beaconsOf(m.id, from, to) {
			if b.Leading && b.LastRenewal.After(from) {
				return true
			}
		}
	}
	return false
}

// awaitProgress waits until a lease write is acknowledged after from.
func (e *env) awaitProgress(ctx context.Context, from time.Time, prev leadership.Token) (bool, error) {
	return e.awaitLedger(ctx, clusterTimeout, func(l ledger, now time.Time) bool { return e.progressed(l, from, now, prev) })
}

// injectServerKill kills the nats-server process leading the lease stream
// with SIGKILL (no clean step-down: the others must notice and elect a new
// raft leader), waits until a lease write is acknowledged without it, then
// starts it again on its store.
func injectServerKill(ctx context.Context, e *env) (*injection, error) {
	k, err := e.pc.WaitStreamLeader(account, streamName, clusterTimeout)
	if err != nil {
		return nil, fmt.Errorf("%w: server-kill: %w", ErrInfrastructure, err)
	}
	node := e.pc.Servers[k]
	inj := e.begin(ClassServerKill, "")
	node.Kill()
	killed := node.KilledBySIGKILL()
	e.tl.add("server-kill: SIGKILL %s, the leader of stream %s", node.Name(), streamName)
	j, err := e.pc.WaitStreamLeader(account, streamName, clusterTimeout, k)
	if err != nil {
		return nil, fmt.Errorf("%w: server-kill: no new stream leader: %w", ErrInfrastructure, err)
	}
	moved := time.Now()
	e.tl.add("server-kill: %s leads the stream after %v", e.pc.Servers[j].Name(), moved.Sub(inj.start).Round(time.Millisecond))
	if _, err := e.awaitProgress(ctx, moved, inj.prev); err != nil {
		return nil, err
	}
	if err := e.restartNodes(node); err != nil {
		return nil, err
	}
	inj.healed = time.Now()
	e.tl.add("server-kill: %s rejoined", node.Name())
	inj.detail = fmt.Sprintf("stream leader %s killed, %s took over in %v", node.Name(), e.pc.Servers[j].Name(), moved.Sub(inj.start).Round(time.Millisecond))
	inj.effect = func(ev evidence) error {
		return failIf(
			check{killed, fmt.Sprintf("%s did not die of SIGKILL", node.Name())},
			check{j != k, fmt.Sprintf("stream leadership stayed on %s", node.Name())},
			check{e.progressed(ev.led, moved, inj.healed, inj.prev), fmt.Sprintf(
				"no lease renewal or acquisition was acknowledged while %s was dead", node.Name())},
		)
	}
	return inj, nil
}

// injectRoutePartition cuts the node leading the lease stream from its
// peers (every route proxy to and from it stalls) while candidates
// still reach every node. The majority must elect a new stream leader; a
// leader whose writes go through the cut node can no longer renew. The cut
// lasts until a lease write is acknowledged through the majority, and at
// least a TTL.
func injectRoutePartition(ctx context.Context, e *env) (*injection, error) {
	k, err := e.pc.WaitStreamLeader(account, streamName, clusterTimeout)
	if err != nil {
		return nil, fmt.Errorf("%w: route-partition: %w", ErrInfrastructure, err)
	}
	if on, _ := e.connectedTo(k); len(on) == len(e.liveMembers()) {
		// Every candidate's connection goes to the stream leader's node:
		// cut off, it would leave no candidate on the majority side, and
		// nothing could be written through the majority however the
		// election behaved. Cut the next stream leader instead.
		if k, err = e.moveStreamLeader(ctx, k); err != nil {
			return nil, fmt.Errorf("%w: route-partition: %w", ErrInfrastructure, err)
		}
	}
	name := e.pc.Servers[k].Name()
	inj := e.begin(ClassRoutePartition, "")
	e.pc.Isolate(k)
	on, off := e.connectedTo(k)
	e.tl.add("route-partition: %s, the leader of stream %s, cut from its peers; connected to it: %v, elsewhere: %v", name, streamName, on, off)
	var others []int
	majority := func() bool {
		others = slices.DeleteFunc(e.pc.StreamLeaders(account, streamName), func(i int) bool { return i == k })
		return len(others) > 0
	}
	ok, err := poll(ctx, time.Now().Add(clusterTimeout), func(time.Time) bool { return majority() })
	moved := time.Now()
	if err == nil && ok {
		e.tl.add("route-partition: %s leads the stream on the majority side after %v", e.pc.Servers[others[0]].Name(), moved.Sub(inj.start).Round(time.Millisecond))
		_, err = e.awaitProgress(ctx, moved, inj.prev)
	}
	if rest := e.t.TTL - time.Since(inj.start); err == nil && rest > 0 {
		err = hold(ctx, rest) // leases renewed through the cut node lapse
	}
	e.pc.HealRoutes()
	if err == nil {
		if rerr := e.pc.WaitReady(clusterTimeout); rerr != nil {
			err = fmt.Errorf("%w: route-partition: %s did not rejoin: %w", ErrInfrastructure, name, rerr)
		}
	}
	if err == nil {
		// Ready says the node is routed and its streams are current, not
		// that it knows the subscriptions its peers made while it was
		// cut off, the new stream leader's above all. Without them it
		// answers its clients' writes with "no responders", and a fault
		// injected meanwhile finds the candidates connected to it unable
		// to take over. (Routes that lost those announcements did this
		// for good while Isolate dropped bytes; it now stalls them, as
		// TCP does.) Wait for a write through it, bounded; a node still
		// not serving is recorded, not failed, since the election's own
		// checks are what this run is for.
		if _, werr := e.putVia(ctx, func() (int, error) { return k, nil }, healKey); ctx.Err() != nil {
			err = ctx.Err()
		} else if werr != nil {
			e.tl.add("route-partition: %s still serves no writes: %v", name, werr)
		}
	}
	inj.healed = time.Now()
	e.tl.add("route-partition: %s routed again", name)
	if err != nil {
		return nil, err
	}
	inj.detail = fmt.Sprintf("%s cut from its peers for %v", name, inj.healed.Sub(inj.start).Round(time.Millisecond))
	inj.effect = func(ev evidence) error {
		return failIf(
			check{ok, fmt.Sprintf("no node but %s led stream %s while it was cut off", name, streamName)},
			check{ok && e.progressed(ev.led, moved, inj.healed, inj.prev), fmt.Sprintf(
				"no lease renewal or acquisition was acknowledged through the majority while %s was cut off", name)},
		)
	}
	return inj, nil
}

// restartNodes starts the given stopped nodes and waits until the cluster
// is whole again.
func (e *env) restartNodes(nodes ...*natstest.ProcServer) error {
	for _, n := range nodes {
		if err := n.Start(); err != nil {
			return fmt.Errorf("%w: restart %s: %w", ErrInfrastructure, n.Name(), err)
		}
	}
	if err := e.pc.WaitReady(clusterTimeout); err != nil {
		return fmt.Errorf("%w: cluster not whole after a restart: %w", ErrInfrastructure, err)
	}
	return nil
}
