package leadership

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// ActorLoggerFactory routes Proto.Actor's own logs to logger, tagged
// component=protoactor, so an application has one log pipeline. Pass it
// when creating the actor system:
//
//	actor.NewActorSystemWithConfig(actor.Configure(
//		actor.WithLoggerFactory(leadership.ActorLoggerFactory(logger))))
func ActorLoggerFactory(logger *slog.Logger) func(*actor.ActorSystem) *slog.Logger {
	return func(*actor.ActorSystem) *slog.Logger {
		return logger.With("component", "protoactor")
	}
}
