package leadership_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// exampleServer starts an embedded JetStream server and connects to it.
func exampleServer() (*natstest.Server, *nats.Conn) {
	srv, err := natstest.StartServer(natstest.DefaultOptions())
	if err != nil {
		panic(err)
	}
	nc, err := nats.Connect(srv.URL(), nats.ReconnectBufSize(-1))
	if err != nil {
		panic(err)
	}
	return srv, nc
}

// quietSystem is an actor system that keeps Proto.Actor's own logs quiet
// and reports dead letters (messages to stopped actors) in short bursts.
func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	))
}

// An election is an actor: spawn it as a child and it tells its parent when
// it is promoted and demoted.
func Example_actor() {
	srv, nc := exampleServer()
	defer srv.Shutdown()
	defer nc.Close()
	system := quietSystem()
	defer system.Shutdown()

	cfg := leadership.Config{Conn: nc, Role: "scheduler", InstanceID: "node-1"}
	props, err := leadership.NewProps(cfg)
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	parent := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch msg := ctx.Message().(type) {
		case *actor.Started:
			ctx.Spawn(props)
		case *leadership.Promoted:
			fmt.Printf("promoted: %s leads %s\n", msg.InstanceID, msg.Role)
			ctx.Stop(ctx.Sender()) // stopping the election releases the lease
		case *leadership.Demoted:
			fmt.Printf("demoted: %s\n", msg.Reason)
			close(done)
		case *leadership.Failed: // it cannot run (no JetStream, no permission, a bad bucket) and stopped
			fmt.Println("failed:", msg.Err)
			close(done)
		}
	}))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Println("timed out")
	}
	_ = system.Root.PoisonFuture(parent).Wait()
	// Output:
	// promoted: node-1 leads scheduler
	// demoted: stopped
}

// The facade runs an election with callbacks, for programs without actors.
func Example_facade() {
	srv, nc := exampleServer()
	defer srv.Shutdown()
	defer nc.Close()
	system := quietSystem()
	defer system.Shutdown()

	e, err := leadership.NewElection(system, leadership.Config{Conn: nc, Role: "compactor", InstanceID: "node-1"})
	if err != nil {
		panic(err)
	}
	promoted := make(chan struct{})
	e.OnPromote(func(ctx context.Context, t leadership.Token) {
		fmt.Printf("leading %s as %s\n", t.Role, t.Holder)
		close(promoted)
		<-ctx.Done() // do the leader's work until the term ends
	})
	e.OnDemote(func(_ context.Context, reason leadership.DemoteReason) {
		fmt.Println("demoted:", reason)
	})
	if err := e.Start(context.Background()); err != nil {
		panic(err)
	}
	<-promoted
	fmt.Println("is leader:", e.IsLeader())
	if err := e.Stop(); err != nil {
		panic(err)
	}
	// Output:
	// leading compactor as node-1
	// is leader: true
	// demoted: stopped
}
