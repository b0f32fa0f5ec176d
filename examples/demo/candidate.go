package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// reconnectWait bounds how long close waits for a healed link to reconnect;
// past it the leases are left to expire.
const reconnectWait = time.Second

// candidate stands for one process of a replicated service: an actor that
// is the parent of one election per role, over one NATS connection that
// runs through a fault proxy so the demo can cut it silently. It is used
// only from run's goroutine; its view is shared with its actor.
type candidate struct {
	name   string
	proxy  *natstest.Proxy
	conn   *nats.Conn
	system *actor.ActorSystem
	pid    *actor.PID // the candidate's actor; nil while stopped
	view   *view
	cut    bool // the link is blackholed
}

// newCandidate starts the proxy to target and connects through it.
func newCandidate(system *actor.ActorSystem, name, target string) (*candidate, error) {
	proxy, err := natstest.NewProxy(target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	clientURL := proxy.URLFor(target)
	opts := append(natstest.ClientOptions("baton demo "+name), nats.ErrorHandler(asyncError))
	conn, err := nats.Connect(clientURL, opts...)
	if err != nil {
		_ = proxy.Close()
		// Through the proxy, a server that refused or never answered looks
		// like the proxy hanging up; asking the server directly gets its
		// own answer, naming it.
		if direct, derr := nats.Connect(target, opts...); derr != nil {
			err = derr
		} else {
			direct.Close()
		}
		return nil, fmt.Errorf("%s: connect to %s: %w", name, redactURL(target), err)
	}
	return &candidate{name: name, proxy: proxy, conn: conn, system: system, view: newView()}, nil
}

// start spawns the candidate's actor, which spawns one election per role,
// and returns once they are spawned.
func (c *candidate) start(ctx context.Context, ttl time.Duration, replicas int, obs *observability) error {
	props := make(map[string]*actor.Props, len(roles))
	for _, role := range roles {
		cfg := config(ttl, role, c.name, replicas)
		cfg.Conn = c.conn
		obs.apply(&cfg)
		p, err := leadership.NewProps(cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		props[role] = p
	}
	ready := make(chan struct{})
	c.pid = c.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &candidateActor{name: c.name, props: props, view: c.view, ready: ready}
	}))
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopRole stops the election for role, which releases its lease if it
// leads, and waits until it has stopped.
func (c *candidate) stopRole(role string) error {
	pid := c.view.pid(role)
	if pid == nil {
		return nil
	}
	c.view.stopped(role)
	if err := c.system.Root.PoisonFuture(pid).Wait(); err != nil {
		return fmt.Errorf("%s: stop %s: %w", c.name, role, err)
	}
	return nil
}

// stop stops the candidate's actor and so every election, releasing the
// leases it holds, and waits until all have stopped.
func (c *candidate) stop() error {
	if c.pid == nil {
		return nil
	}
	pid := c.pid
	c.pid = nil
	for _, role := range roles {
		c.view.stopped(role)
	}
	if err := c.system.Root.PoisonFuture(pid).Wait(); err != nil {
		return fmt.Errorf("%s: stop: %w", c.name, err)
	}
	return nil
}

// running reports whether the candidate's actor runs.
func (c *candidate) running() bool { return c.pid != nil }

// kill blackholes the link: the server and the candidate stop hearing each
// other, and neither side is told.
func (c *candidate) kill() {
	c.proxy.Blackhole()
	c.cut = true
}

// heal restores the link. The connections are reset as well, because bytes
// dropped by the blackhole leave the NATS protocol stream torn; the client
// reconnects at once.
func (c *candidate) heal() {
	c.proxy.Heal()
	c.proxy.CutConnections()
	c.cut = false
}

// healAndWait heals a cut link and waits up to reconnectWait for the
// client to reconnect, so what follows (releases on stop) reaches the
// server.
func (c *candidate) healAndWait() {
	if !c.cut {
		return
	}
	back := c.conn.StatusChanged(nats.CONNECTED)
	defer c.conn.RemoveStatusListener(back)
	c.heal()
	timeout := time.NewTimer(reconnectWait)
	defer timeout.Stop()
	select {
	case <-back:
	case <-timeout.C:
	}
}

// close stops the elections and closes the connection and the proxy. A cut
// link is healed first so the releases reach the server.
func (c *candidate) close() error {
	c.healAndWait()
	err := c.stop()
	c.conn.Close()
	return errors.Join(err, c.proxy.Close())
}

// asyncError reports the errors nats.go delivers outside any call, except
// permission violations: the election that caused one reports it as its
// failure, which ends the demo, and nats.go would print one line per
// refused request until then.
func asyncError(_ *nats.Conn, _ *nats.Subscription, err error) {
	if !errors.Is(err, nats.ErrPermissionViolation) {
		fmt.Fprintf(os.Stderr, "nats: %v\n", err)
	}
}
