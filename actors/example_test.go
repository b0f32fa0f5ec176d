package actors_test

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
)

// lamp is an actor driven by a two-state table; both states share a handler.
type lamp struct {
	sm *actors.StateMachine
}

type press struct{}

type getState struct{}

func lampTable() fsm.Table {
	return fsm.Table{
		Name: "lamp", Initial: "off",
		States: []fsm.State{"off", "on"},
		Events: []fsm.Event{"press"},
		Rules: []fsm.Rule{
			{From: "off", Event: "press", Outcome: fsm.Move, To: "on"},
			{From: "on", Event: "press", Outcome: fsm.Move, To: "off"},
		},
	}
}

func newLamp() actor.Actor {
	l := &lamp{}
	handle := func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *press:
			if _, err := l.sm.Fire(ctx, "press"); err != nil {
				ctx.Logger().Error("press refused", slog.Any("error", err))
			}
		case *getState:
			ctx.Respond(l.sm.State())
		}
	}
	// The one place transitions are reported.
	logTransition := func(_ actor.Context, tr fsm.Transition) {
		fmt.Printf("%s -> %s on %s\n", tr.From, tr.To, tr.Event)
	}
	sm, err := actors.NewStateMachine(lampTable(),
		map[fsm.State]actor.ReceiveFunc{"off": handle, "on": handle},
		actors.WithTransitionObserver(logTransition))
	if err != nil {
		panic(err) // the table and handlers are fixed: a bug, not a runtime condition
	}
	l.sm = sm
	return l
}

func (l *lamp) Receive(ctx actor.Context) { l.sm.Receive(ctx) }

func ExampleStateMachine() {
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer system.Shutdown()
	pid := system.Root.Spawn(actor.PropsFromProducer(newLamp))
	defer func() { _ = system.Root.StopFuture(pid).Wait() }()

	system.Root.Send(pid, &press{})
	system.Root.Send(pid, &press{})
	system.Root.Send(pid, &press{})
	state, err := system.Root.RequestFuture(pid, &getState{}, time.Second).Result()
	fmt.Println(state, err)
	// Output:
	// off -> on on press
	// on -> off on press
	// off -> on on press
	// on <nil>
}
