package actors_test

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/actors"
)

// ExampleTimers arms a one-shot timer for a term when the actor starts. The
// actor acts on a tick only once Current accepts it, and Current accepts a
// tick once: a duplicate, or a tick of a cancelled, re-armed or earlier-term
// arming, is stale.
func ExampleTimers() {
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer system.Shutdown()

	done := make(chan struct{})
	var timers *actors.Timers // touched only from Receive
	pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *actor.Started:
			timers = actors.NewTimers(ctx)
			timers.After("heartbeat", 1, 10*time.Millisecond)
		case *actor.Stopping:
			timers.CancelAll()
		case *actors.Tick:
			fmt.Printf("%s for term %d: current %v\n", m.Name, m.Term, timers.Current(m))
			fmt.Printf("the same tick again: current %v\n", timers.Current(m))
			close(done)
		}
	}))
	defer func() { _ = system.Root.StopFuture(pid).Wait() }()

	select {
	case <-done:
	case <-time.After(2 * time.Second):
		fmt.Println("no tick within 2s")
	}
	// Output:
	// heartbeat for term 1: current true
	// the same tick again: current false
}
