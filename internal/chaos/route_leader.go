package chaos

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A route-partition cuts the lease stream's leader from its peers. A
// candidate's connection stays with the node it chose at random, so with
// 3 candidates and 3 nodes, 1 run in 27 has every candidate connected to
// the node cut: no candidate can write through the majority until the
// heal, however the election behaves (measured: 1 run of 56 had that
// draw, and its failover waited 41.8 s for the heal). The fault then cuts
// the next stream leader instead.

// connectedTo returns the live candidates whose last beacon says they are
// connected to node k, and the others.
func (e *env) connectedTo(k int) (on, off []string) {
	ledger, now := e.res.snapshot(), time.Now()
	for _, m := range e.liveMembers() {
		last, ok := ledger.lastBeaconBefore(m.id, now)
		if ok && m.nodeOf(last.ConnectedURL) == k {
			on = append(on, m.id)
		} else {
			off = append(off, m.id)
		}
	}
	return on, off
}

// moveStreamLeader asks node k, the lease stream's leader, to step down
// until it does, and returns the node that leads the stream next.
func (e *env) moveStreamLeader(ctx context.Context, k int) (int, error) {
	nc, err := nats.Connect(e.urls(), natstest.ClientOptions("chaos harness")...)
	if err != nil {
		return -1, fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	subject := jetstream.DefaultAPIPrefix + "STREAM.LEADER.STEPDOWN." + streamName
	next := -1
	moved := func(time.Time) bool {
		if _, err := nc.Request(subject, nil, time.Second); err != nil {
			return false // no answer yet: ask again
		}
		i, err := e.pc.WaitStreamLeader(account, streamName, time.Second, k)
		next = i
		return err == nil
	}
	ok, err := poll(ctx, time.Now().Add(clusterTimeout), moved)
	if err != nil {
		return -1, err
	}
	if !ok {
		return -1, fmt.Errorf("%s still leads stream %s after asking it to step down for %v", e.pc.Servers[k].Name(), streamName, clusterTimeout)
	}
	e.tl.add("route-partition: every candidate is connected to %s; %s leads stream %s now, and is the node cut", e.pc.Servers[k].Name(), e.pc.Servers[next].Name(), streamName)
	return next, nil
}
