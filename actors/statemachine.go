package actors

import (
	"fmt"
	"slices"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/fsm"
)

// TransitionObserver is told about every state change of a StateMachine, on
// the owning actor's goroutine, after the new behaviour is in place. It must
// not block: it runs inside the actor's Receive.
type TransitionObserver func(ctx actor.Context, tr fsm.Transition)

// StateMachineOption configures a StateMachine.
type StateMachineOption func(*StateMachine)

// WithTransitionObserver adds an observer called on every Move. Observers run
// in the order they were added; a nil observer is ignored.
func WithTransitionObserver(o TransitionObserver) StateMachineOption {
	return func(s *StateMachine) {
		if o != nil {
			s.observers = append(s.observers, o)
		}
	}
}

// StateMachine binds an fsm.Machine to an actor.Behavior: each state of the
// table has its own ReceiveFunc, and the active one is always the handler of
// the machine's current state.
//
// Proto.Actor has no ctx.Become, so the owning actor keeps the StateMachine
// in a field and calls Receive from its own Receive. Lifecycle messages
// (*actor.Started, *actor.Stopping, *actor.Restarting, *actor.Stopped) reach
// the handler of the current state, so every handler must release what the
// actor holds on *actor.Stopping and *actor.Restarting.
//
// A StateMachine belongs to one actor and is used only from its Receive; it
// is not safe for concurrent use.
type StateMachine struct {
	machine   *fsm.Machine
	handlers  map[fsm.State]actor.ReceiveFunc
	behavior  actor.Behavior
	observers []TransitionObserver
}

// NewStateMachine returns a StateMachine in table.Initial with that state's
// handler active. It returns an error wrapping fsm.ErrInvalidTable when the
// table is invalid, ErrMissingHandler when a state of the table has no
// handler, and ErrUnknownState when a handler names a state the table does
// not list. The handlers map is copied.
func NewStateMachine(table fsm.Table, handlers map[fsm.State]actor.ReceiveFunc, opts ...StateMachineOption) (*StateMachine, error) {
	machine, err := fsm.NewMachine(table)
	if err != nil {
		return nil, fmt.Errorf("actors: state machine %q: %w", table.Name, err)
	}
	for _, st := range table.States {
		if handlers[st] == nil {
			return nil, fmt.Errorf("%w: table %q, state %q", ErrMissingHandler, table.Name, st)
		}
	}
	for st := range handlers {
		if !slices.Contains(table.States, st) {
			return nil, fmt.Errorf("%w: table %q, state %q", ErrUnknownState, table.Name, st)
		}
	}
	s := &StateMachine{
		machine:  machine,
		handlers: make(map[fsm.State]actor.ReceiveFunc, len(handlers)),
		behavior: actor.NewBehavior(),
	}
	for st, h := range handlers {
		s.handlers[st] = h
	}
	for _, opt := range opts {
		opt(s)
	}
	s.behavior.Become(s.handlers[machine.Current()])
	return s, nil
}

// Receive hands the current message to the handler of the current state.
func (s *StateMachine) Receive(ctx actor.Context) {
	s.behavior.Receive(ctx)
}

// Fire applies ev to the machine. On a Move it makes the new state's handler
// the one that receives the next message (the message being handled now
// finishes in the old handler) and then calls every observer with ctx and
// the transition. On a Stay it returns a Transition with Changed false and
// calls no observer. On a refusal it returns the machine's error, which
// wraps fsm.ErrRefused, and changes nothing.
func (s *StateMachine) Fire(ctx actor.Context, ev fsm.Event) (fsm.Transition, error) {
	tr, err := s.machine.Fire(ev)
	if err != nil || !tr.Changed {
		return tr, err
	}
	s.behavior.Become(s.handlers[tr.To])
	for _, o := range s.observers {
		o(ctx, tr)
	}
	return tr, nil
}

// State returns the current state.
func (s *StateMachine) State() fsm.State {
	return s.machine.Current()
}
