package leadership

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
)

// queueOwner is a role actor reduced to its callback queue: it pushes the
// callbacks it is sent, and reports whether the queue's actor runs once
// it heard that a callback ran.
type queueOwner struct {
	queue  *callbackQueue
	events chan any
}

// queueIdle is what a queueOwner reports after each callbackRan: the
// queue's actor (nil when none runs).
type queueIdle struct{ pid *actor.PID }

func (o *queueOwner) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		o.queue = newCallbackQueue(ctx.ActorSystem(), ctx.Self())
	case func():
		o.queue.push(msg)
		o.events <- o.queue.pid
	case *callbackRan:
		o.queue.ran(msg)
		o.events <- &queueIdle{pid: o.queue.pid}
	case *actor.Stopped:
		o.queue.close()
	}
}

// The queue's actor runs while callbacks are queued, runs them in order,
// and is stopped once it ran every one; the next callback starts another.
func TestCallbackQueueRunsAnActorOnlyWhileCallbacksAreQueued(t *testing.T) {
	system := actortest.NewSystem(t)
	events, ran := make(chan any, 16), make(chan int, 16)
	owner := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &queueOwner{events: events} }))
	t.Cleanup(func() { _ = system.Root.StopFuture(owner).Wait() })

	release := make(chan struct{})
	system.Root.Send(owner, func() { <-release; ran <- 1 })
	first := await[*actor.PID](t, events, "the queue to spawn its actor")
	system.Root.Send(owner, func() { ran <- 2 })
	if second := await[*actor.PID](t, events, "the second callback to be queued"); !second.Equal(first) {
		t.Fatalf("the second callback went to %v while %v still ran the first", second, first)
	}
	close(release)
	for want := 1; want <= 2; want++ {
		select {
		case got := <-ran:
			if got != want {
				t.Fatalf("callback %d ran in place of %d", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("waited 5s for callback %d", want)
		}
	}
	for {
		if idle := await[*queueIdle](t, events, "the queue to report its callbacks ran"); idle.pid == nil {
			break
		}
	}
	// Watching an actor that already stopped is answered at once.
	stopped := make(chan struct{})
	system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(first)
		case *actor.Terminated:
			close(stopped)
			ctx.Stop(ctx.Self())
		}
	}))
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the queue's actor still runs 5s after it ran every callback")
	}

	system.Root.Send(owner, func() { ran <- 3 })
	if next := await[*actor.PID](t, events, "the queue to spawn another actor"); next == nil || next.Equal(first) {
		t.Fatalf("a callback after the queue ran dry went to %v, want a new actor", next)
	}
	select {
	case got := <-ran:
		if got != 3 {
			t.Fatalf("callback %d ran in place of 3", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waited 5s for the callback pushed after the queue ran dry")
	}
}
