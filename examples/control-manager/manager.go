package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// manager is one control manager: a process that contests the role and,
// while it leads, runs the control loop against the resource. Like a real
// process it has its own actor system and NATS connection; the connection
// runs through a fault proxy so the scenario can cut it silently, and the
// loop can be stalled with the pauser.
type manager struct {
	name     string
	proxy    *natstest.Proxy
	conn     *nats.Conn
	system   *actor.ActorSystem
	election leadership.Election
	stall    pauser
	cutOff   bool // the link is blackholed; used only by run's goroutine
}

// newManager connects through a new proxy to target and prepares the
// election, whose messages j follows; the control loop writes to res every
// interval while leading.
func newManager(opts options, name, target string, res *resource, j *journal) (*manager, error) {
	proxy, err := natstest.NewProxy(target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	clientURL := proxy.URLFor(target)
	conn, err := nats.Connect(clientURL, natstest.ClientOptions("baton control-manager "+name)...)
	if err != nil {
		_ = proxy.Close()
		return nil, fmt.Errorf("%s: connect to %s through a proxy: %w", name, target, err)
	}
	m := &manager{name: name, proxy: proxy, conn: conn, system: newSystem()}
	j.follow(m.system)
	cfg := opts.config(name)
	cfg.Conn = conn
	e, err := leadership.NewElection(m.system, cfg)
	if err != nil {
		m.close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	e.OnPromote(func(ctx context.Context, t leadership.Token) { m.controlLoop(ctx, t, opts.interval, res, j) })
	e.OnDemote(func(_ context.Context, reason leadership.DemoteReason) {
		j.note("%s OnDemote (%s): its control loop has returned", name, reason)
	})
	m.election = e
	return m, nil
}

// controlLoop is the leader's work: every interval it writes the next
// desired state to the resource with its term's token, until the term ends
// (ctx is cancelled at demotion) or the resource refuses the token. The
// stall sits between the check of ctx and the write, where a real process
// can be paused with a write already decided.
func (m *manager) controlLoop(ctx context.Context, t leadership.Token, interval time.Duration, res *resource, j *journal) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for step := 1; ; step++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w := write{token: t, value: fmt.Sprintf("%s step %d", m.name, step)}
		m.stall.wait()
		w.at = time.Now()
		if err := res.apply(w); err != nil {
			j.add(entry{kind: entryRejected, who: m.name, token: t, text: w.value})
			return // a newer term has written: this one is over, whatever the election says
		}
		j.add(entry{kind: entryAccepted, who: m.name, token: t, text: w.value})
	}
}

// cut blackholes the manager's link: it and the server stop hearing each
// other, and neither side is told.
func (m *manager) cut() {
	m.proxy.Blackhole()
	m.cutOff = true
}

// heal restores the link, resetting the torn connection so the client
// reconnects at once.
func (m *manager) heal() {
	m.proxy.Heal()
	m.proxy.CutConnections()
	m.cutOff = false
}

// stop stops the election (releasing the lease if it leads) after letting
// a stalled loop go on, since Stop waits for the loop to return.
func (m *manager) stop() error {
	m.stall.release()
	if err := m.election.Stop(); err != nil && !errors.Is(err, leadership.ErrNotStarted) {
		return fmt.Errorf("%s: %w", m.name, err)
	}
	return nil
}

// close closes the connection and the proxy and shuts the actor system
// down; stop first.
func (m *manager) close() {
	m.conn.Close()
	_ = m.proxy.Close()
	m.system.Shutdown()
}

// newSystem returns an actor system that keeps Proto.Actor's own logs quiet
// and reports dead letters in short bursts, so its goroutines end soon
// after the example stops.
func newSystem() *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
		actor.WithDeadLetterThrottleInterval(deadLetterThrottle),
	))
}
