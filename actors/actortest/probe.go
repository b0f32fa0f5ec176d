package actortest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// spawnTimeout bounds how long SpawnChild waits for the probe to spawn.
const spawnTimeout = 5 * time.Second

// ProbeOption configures the probe actor.
type ProbeOption func(*probeConfig)

type probeConfig struct {
	props []actor.PropsOption
}

// WithSupervisor sets the strategy the probe applies to its children, for
// testing a supervisor strategy with the probe as the parent.
func WithSupervisor(s actor.SupervisorStrategy) ProbeOption {
	return func(c *probeConfig) { c.props = append(c.props, actor.WithSupervisor(s)) }
}

// WithGuardian sets the strategy applied to the probe itself when it fails,
// for example when a child's failure is escalated to it.
func WithGuardian(s actor.SupervisorStrategy) ProbeOption {
	return func(c *probeConfig) { c.props = append(c.props, actor.WithGuardian(s)) }
}

// Probe is an actor that records every user message it receives, and
// *actor.Terminated, in arrival order. Other lifecycle messages (*actor.Started,
// *actor.Stopping, *actor.Stopped, *actor.Restarting) are not recorded. Its
// methods and Expect may be called from the test goroutine.
//
// Proto.Actor delivers system messages before queued user messages, so a
// *actor.Terminated can be recorded before messages its sender sent earlier.
type Probe struct {
	tb     testing.TB
	system *actor.ActorSystem
	pid    *actor.PID

	mu       sync.Mutex
	received []any // guarded by mu; messages not yet taken by Expect
	arrived  chan struct{}
}

// spawnChild asks the probe actor to spawn a child, so that the child's
// parent is the probe.
type spawnChild struct {
	props *actor.Props
}

// spawned answers spawnChild.
type spawned struct {
	pid *actor.PID
	err error
}

// NewProbe spawns a probe actor in system. It is stopped by tb.Cleanup.
func NewProbe(tb testing.TB, system *actor.ActorSystem, opts ...ProbeOption) *Probe {
	tb.Helper()
	var cfg probeConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	p := &Probe{tb: tb, system: system, arrived: make(chan struct{}, 1)}
	props := actor.PropsFromFunc(p.receive, cfg.props...)
	p.pid = system.Root.Spawn(props)
	tb.Cleanup(func() {
		if err := system.Root.StopFuture(p.pid).Wait(); err != nil {
			tb.Errorf("actortest: stopping probe %v: %v", p.pid, err)
		}
	})
	return p
}

// NewParentProbe spawns a probe and childProps as its child, and returns both.
// Whatever the child sends to ctx.Parent() is recorded by the probe, and so
// is the child's *actor.Terminated.
func NewParentProbe(tb testing.TB, system *actor.ActorSystem, childProps *actor.Props, opts ...ProbeOption) (*Probe, *actor.PID) {
	tb.Helper()
	p := NewProbe(tb, system, opts...)
	return p, p.SpawnChild(childProps)
}

// PID returns the probe actor's PID.
func (p *Probe) PID() *actor.PID {
	return p.pid
}

// SpawnChild spawns props as a child of the probe actor and returns its PID.
// The child is stopped with the probe.
func (p *Probe) SpawnChild(props *actor.Props) *actor.PID {
	p.tb.Helper()
	if props == nil {
		p.tb.Fatalf("actortest: SpawnChild: props is nil")
		return nil
	}
	res, err := p.system.Root.RequestFuture(p.pid, &spawnChild{props: props}, spawnTimeout).Result()
	if err != nil {
		p.tb.Fatalf("actortest: waited %v for probe %v to spawn its child: %v", spawnTimeout, p.pid, err)
		return nil
	}
	s, ok := res.(*spawned)
	if !ok {
		p.tb.Fatalf("actortest: probe %v answered a spawn with %s", p.pid, describe(res))
		return nil
	}
	if s.err != nil {
		p.tb.Fatalf("actortest: probe %v could not spawn its child: %v", p.pid, s.err)
		return nil
	}
	return s.pid
}

func (p *Probe) receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
	case *spawnChild:
		ctx.Respond(spawn(ctx, msg.props))
	default:
		p.record(msg)
	}
}

// spawn turns Proto.Actor's panic on bad child props into an error for the
// test, instead of a failure of the probe.
func spawn(ctx actor.Context, props *actor.Props) (res *spawned) {
	defer func() {
		if r := recover(); r != nil {
			res = &spawned{err: fmt.Errorf("%v", r)}
		}
	}()
	return &spawned{pid: ctx.Spawn(props)}
}

func (p *Probe) record(msg any) {
	p.mu.Lock()
	p.received = append(p.received, msg)
	p.mu.Unlock()
	select {
	case p.arrived <- struct{}{}:
	default:
	}
}

// take removes and returns the oldest recorded message.
func (p *Probe) take() (any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.received) == 0 {
		return nil, false
	}
	msg := p.received[0]
	p.received[0] = nil
	p.received = p.received[1:]
	return msg, true
}
