package main

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/batonhq/baton/leadership"
)

// event is a Promoted, Demoted, Failed or Warning message and when this process saw
// it, on its monotonic clock.
type event struct {
	at  time.Time
	msg any
}

// inbox collects the elections' Promoted, Demoted, Failed and Warning messages from
// the actor system's EventStream. The EventStream delivers on the
// publishing actor's goroutine, and run may be waiting for that very actor
// to stop, so the inbox never blocks: it appends to a queue and signals.
type inbox struct {
	system *actor.ActorSystem
	sub    *eventstream.Subscription
	ready  chan struct{} // signalled when the queue is not empty

	mu    sync.Mutex // guards queue
	queue []event
}

// subscribe starts collecting.
func subscribe(system *actor.ActorSystem) *inbox {
	in := &inbox{system: system, ready: make(chan struct{}, 1)}
	in.sub = system.EventStream.Subscribe(func(msg any) {
		switch msg.(type) {
		case *leadership.Promoted, *leadership.Demoted, *leadership.Failed, *leadership.Warning:
		default:
			return
		}
		in.mu.Lock()
		in.queue = append(in.queue, event{at: time.Now(), msg: msg})
		in.mu.Unlock()
		select {
		case in.ready <- struct{}{}:
		default:
		}
	})
	return in
}

// drain returns the queued events in arrival order and empties the queue.
func (in *inbox) drain() []event {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.queue
	in.queue = nil
	return out
}

// close stops collecting.
func (in *inbox) close() { in.system.EventStream.Unsubscribe(in.sub) }
