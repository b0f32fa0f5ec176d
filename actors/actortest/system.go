package actortest

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// deadLetterThrottle is short so the goroutine Proto.Actor starts per
// throttling period ends soon after a test sends to a stopped actor, well
// before goleak gives up waiting for it.
const deadLetterThrottle = 10 * time.Millisecond

// NewSystem returns an actor system for a test: Proto.Actor's logging is
// discarded, and the system is shut down by tb.Cleanup. Shutdown does not
// stop actors: the test stops those it spawned (a Probe stops itself).
func NewSystem(tb testing.TB) *actor.ActorSystem {
	tb.Helper()
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(slog.DiscardHandler)
		}),
		actor.WithDeadLetterThrottleInterval(deadLetterThrottle),
	))
	tb.Cleanup(system.Shutdown)
	return system
}
