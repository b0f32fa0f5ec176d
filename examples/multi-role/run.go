package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// patience bounds each wait for leaders: a freed lease is taken within
// milliseconds, but a first start on an external server may be slow.
const patience = 30 * time.Second

// stopTimeout bounds the ordered stop of one instance.
const stopTimeout = 10 * time.Second

// instance is one member of the service: its connection and role manager.
type instance struct {
	id    string
	nc    *nats.Conn
	roles leadership.RoleManager
}

// run starts the instances, prints who leads each role, stops the leader of
// region-eu to show the cascade, prints the new leaders, then keeps running
// for opts.duration (or until ctx ends) and stops everything. An interrupt
// (ctx ending) is a clean exit.
func run(ctx context.Context, out io.Writer, opts options) error {
	if err := opts.validate(); err != nil {
		return err
	}
	p := &printer{out: out}
	url, shutdown, err := startBackend(opts.natsURL, p)
	if err != nil {
		return err
	}
	defer shutdown()
	system := quietSystem()
	defer system.Shutdown()

	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	fleet := map[string]*instance{} // running instances, by ID
	defer func() {
		for _, id := range slices.Sorted(maps.Keys(fleet)) {
			fleet[id].stop(p)
		}
	}()
	// interrupted turns a failure caused by Ctrl-C into a clean exit.
	interrupted := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		p.say("interrupted")
		return nil
	}

	for i := 1; i <= opts.instances; i++ {
		inst, err := startInstance(ctx, system, url, fmt.Sprintf("node-%d", i), p, notify)
		if err != nil {
			return interrupted(err)
		}
		fleet[inst.id] = inst
	}
	leaders, err := awaitLeaders(ctx, fleet, changed)
	if err != nil {
		return interrupted(err)
	}
	p.say("leaders: %s", formatLeaders(leaders))

	victim := fleet[leaders[roleEU]]
	p.say("stopping %s, the leader of %s: its child role steps down first", victim.id, roleEU)
	delete(fleet, victim.id)
	victim.stop(p)
	leaders, err = awaitLeaders(ctx, fleet, changed)
	if err != nil {
		return interrupted(err)
	}
	p.say("leaders: %s", formatLeaders(leaders))

	if opts.duration > 0 {
		timer := time.NewTimer(opts.duration)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
	} else {
		<-ctx.Done()
	}
	p.say("shutting down")
	return nil
}

// startBackend returns the NATS URL to use: natsURL, or an embedded
// JetStream server's, with what stops it.
func startBackend(natsURL string, p *printer) (string, func(), error) {
	if natsURL != "" {
		p.say("using NATS at %s", natsURL)
		return natsURL, func() {}, nil
	}
	srv, err := natstest.StartServer(natstest.DefaultOptions())
	if err != nil {
		return "", nil, fmt.Errorf("start embedded NATS server: %w", err)
	}
	p.say("embedded NATS server at %s", srv.URL())
	return srv.URL(), srv.Shutdown, nil
}

// quietSystem is an actor system that keeps Proto.Actor's own logs quiet
// and reports dead letters (messages to stopped actors) in short bursts.
func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	))
}

// startInstance connects instance id and starts its role manager.
func startInstance(ctx context.Context, system *actor.ActorSystem, url, id string, p *printer, changed func()) (*instance, error) {
	nc, err := nats.Connect(url, natstest.ClientOptions("multi-role "+id)...)
	if err != nil {
		return nil, fmt.Errorf("%s: connect to %s: %w", id, url, err)
	}
	m, err := leadership.NewRoleManager(system, id, roleSpecs(id, nc, p, changed)...)
	if err == nil {
		err = m.Start(ctx)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	p.say("%s started", id)
	return &instance{id: id, nc: nc, roles: m}, nil
}

// stop stops the instance's roles in order, then closes its connection.
func (in *instance) stop(p *printer) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := in.roles.Stop(ctx); err != nil {
		p.say("%s: %v", in.id, err)
	}
	in.nc.Close()
	p.say("%s stopped", in.id)
}

// awaitLeaders waits until each role has exactly one leader in fleet and
// returns them, by role. It looks again whenever a callback ran.
func awaitLeaders(ctx context.Context, fleet map[string]*instance, changed <-chan struct{}) (map[string]string, error) {
	deadline := time.NewTimer(patience)
	defer deadline.Stop()
	for {
		leaders, missing := currentLeaders(fleet)
		if len(missing) == 0 {
			return leaders, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, fmt.Errorf("%w within %v: %s", errNoLeader, patience, strings.Join(missing, ", "))
		}
	}
}

// currentLeaders returns the roles with exactly one leader in fleet, and
// the others.
func currentLeaders(fleet map[string]*instance) (leaders map[string]string, missing []string) {
	leaders = map[string]string{}
	for _, role := range roles {
		var ids []string
		for id, in := range fleet {
			if in.roles.IsLeader(role) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 1 {
			leaders[role] = ids[0]
		} else {
			missing = append(missing, role)
		}
	}
	return leaders, missing
}

// formatLeaders prints leaders as role=instance pairs in the roles' order.
func formatLeaders(leaders map[string]string) string {
	parts := make([]string, 0, len(roles))
	for _, role := range roles {
		parts = append(parts, role+"="+leaders[role])
	}
	return strings.Join(parts, " ")
}
