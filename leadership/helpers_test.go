package leadership_test

import (
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// newSystem returns an actor system for a test (actortest.NewSystem), with
// Proto.Actor's own logs on stderr when BATON_TEST_LOG is set.
func newSystem(t testing.TB) *actor.ActorSystem {
	t.Helper()
	if os.Getenv("BATON_TEST_LOG") == "" {
		return actortest.NewSystem(t)
	}
	system := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}), actor.WithDeadLetterThrottleInterval(10*time.Millisecond)))
	t.Cleanup(system.Shutdown)
	return system
}

// fastConfig is a config with short timings for tests: TTL 2s, so a lost
// lease passes on within about 2s.
func fastConfig(nc *nats.Conn, role, instance string) leadership.Config {
	cfg := leadership.Config{
		Conn:       nc,
		Role:       role,
		InstanceID: instance,
		TTL:        2 * time.Second,
		Timings: leadership.Timings{
			RenewDeadline:     1200 * time.Millisecond,
			HeartbeatInterval: 300 * time.Millisecond,
			DisconnectGrace:   600 * time.Millisecond,
			OpTimeout:         400 * time.Millisecond,
			PollInterval:      500 * time.Millisecond,
		},
	}
	if os.Getenv("BATON_TEST_LOG") != "" {
		cfg.Telemetry.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("instance", instance)
	}
	return cfg
}

// connect opens a client suited to elections (no reconnect buffer).
func connect(t testing.TB, url string) *nats.Conn {
	t.Helper()
	return natstest.Connect(t, url)
}
