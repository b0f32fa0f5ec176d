package actors_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/fsm"
)

// recordingHandlers returns a handler per state that appends the state's name
// to *got, so a test can see which handler received a message.
func recordingHandlers(got *[]fsm.State) map[fsm.State]actor.ReceiveFunc {
	h := make(map[fsm.State]actor.ReceiveFunc)
	for _, st := range []fsm.State{idle, busy, done} {
		h[st] = func(actor.Context) { *got = append(*got, st) }
	}
	return h
}

func TestNewStateMachineRejectsBadHandlers(t *testing.T) {
	var got []fsm.State
	missing := recordingHandlers(&got)
	delete(missing, busy)
	nilHandler := recordingHandlers(&got)
	nilHandler[done] = nil
	unknown := recordingHandlers(&got)
	unknown["idel"] = func(actor.Context) {}
	badTable := jobTable()
	badTable.Rules = badTable.Rules[1:]

	cases := []struct {
		name     string
		table    fsm.Table
		handlers map[fsm.State]actor.ReceiveFunc
		want     error
		naming   string
	}{
		{"missing handler", jobTable(), missing, actors.ErrMissingHandler, `"busy"`},
		{"nil handler", jobTable(), nilHandler, actors.ErrMissingHandler, `"done"`},
		{"handler for unknown state", jobTable(), unknown, actors.ErrUnknownState, `"idel"`},
		{"invalid table", badTable, recordingHandlers(&got), fsm.ErrInvalidTable, "(idle, start)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sm, err := actors.NewStateMachine(tc.table, tc.handlers)
			if !errors.Is(err, tc.want) {
				t.Fatalf("NewStateMachine error = %v, want %v", err, tc.want)
			}
			if sm != nil {
				t.Errorf("NewStateMachine returned a machine with error %v", err)
			}
			if !strings.Contains(err.Error(), tc.naming) {
				t.Errorf("error %q does not name %s", err, tc.naming)
			}
		})
	}
}

func TestStateMachineFire(t *testing.T) {
	var handled []fsm.State
	var observed []string
	observer := func(name string) actors.TransitionObserver {
		return func(_ actor.Context, tr fsm.Transition) {
			observed = append(observed, name+":"+string(tr.From)+">"+string(tr.To))
		}
	}
	sm, err := actors.NewStateMachine(jobTable(), recordingHandlers(&handled),
		actors.WithTransitionObserver(observer("first")),
		actors.WithTransitionObserver(nil),
		actors.WithTransitionObserver(observer("second")),
	)
	if err != nil {
		t.Fatalf("NewStateMachine: %v", err)
	}
	if sm.State() != idle {
		t.Fatalf("initial state = %q, want %q", sm.State(), idle)
	}
	sm.Receive(nil)

	if _, err := sm.Fire(nil, finish); !errors.Is(err, fsm.ErrRefused) {
		t.Fatalf("Fire(finish) in idle: error = %v, want fsm.ErrRefused", err)
	}
	sm.Receive(nil)

	tr, err := sm.Fire(nil, start)
	if err != nil || !tr.Changed || tr.To != busy {
		t.Fatalf("Fire(start) in idle = %+v, %v; want a move to busy", tr, err)
	}
	sm.Receive(nil)

	tr, err = sm.Fire(nil, start)
	if err != nil || tr.Changed || tr.To != busy {
		t.Fatalf("Fire(start) in busy = %+v, %v; want a stay", tr, err)
	}
	sm.Receive(nil)

	if _, err := sm.Fire(nil, finish); err != nil {
		t.Fatalf("Fire(finish) in busy: %v", err)
	}
	sm.Receive(nil)

	wantHandled := []fsm.State{idle, idle, busy, busy, done}
	if strings.Join(states(handled), ",") != strings.Join(states(wantHandled), ",") {
		t.Errorf("handlers that received messages = %v, want %v", handled, wantHandled)
	}
	wantObserved := []string{"first:idle>busy", "second:idle>busy", "first:busy>done", "second:busy>done"}
	if strings.Join(observed, ",") != strings.Join(wantObserved, ",") {
		t.Errorf("observer calls = %v, want %v (once per move, in order, none for a stay or refusal)", observed, wantObserved)
	}
	if sm.State() != done {
		t.Errorf("final state = %q, want %q", sm.State(), done)
	}
}

func states(s []fsm.State) []string {
	out := make([]string, len(s))
	for i, st := range s {
		out[i] = string(st)
	}
	return out
}

// Messages between the job actor and its parent probe.
type (
	fire      struct{ ev fsm.Event }
	which     struct{}
	handledBy struct {
		state fsm.State
		msg   string
	}
	fired struct {
		tr  fsm.Transition
		err error
	}
	observed struct{ tr fsm.Transition }
)

// jobActor reports to its parent which handler received each message.
type jobActor struct {
	sm *actors.StateMachine
}

func newJobActor() actor.Actor {
	a := &jobActor{}
	handlers := make(map[fsm.State]actor.ReceiveFunc)
	for _, st := range []fsm.State{idle, busy, done} {
		handlers[st] = func(ctx actor.Context) { a.handle(ctx, st) }
	}
	sm, err := actors.NewStateMachine(jobTable(), handlers, actors.WithTransitionObserver(
		func(ctx actor.Context, tr fsm.Transition) { ctx.Send(ctx.Parent(), &observed{tr: tr}) },
	))
	if err != nil {
		panic(err)
	}
	a.sm = sm
	return a
}

func (a *jobActor) Receive(ctx actor.Context) { a.sm.Receive(ctx) }

func (a *jobActor) handle(ctx actor.Context, st fsm.State) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ctx.Send(ctx.Parent(), &handledBy{state: st, msg: "started"})
	case *which:
		ctx.Send(ctx.Parent(), &handledBy{state: st, msg: "which"})
	case *fire:
		tr, err := a.sm.Fire(ctx, m.ev)
		ctx.Send(ctx.Parent(), &fired{tr: tr, err: err})
	}
}

func TestStateMachineDrivesActorBehaviour(t *testing.T) {
	system := actortest.NewSystem(t)
	p, job := actortest.NewParentProbe(t, system, actor.PropsFromProducer(newJobActor))
	send := func(msg any) { system.Root.Send(job, msg) }
	expectHandledBy := func(st fsm.State, msg string) {
		t.Helper()
		if got := actortest.ExpectNext[*handledBy](t, p, wait); got.state != st || got.msg != msg {
			t.Fatalf("got %+v, want %q handled by %q", got, msg, st)
		}
	}
	expectFired := func(changed bool, to fsm.State) {
		t.Helper()
		got := actortest.ExpectNext[*fired](t, p, wait)
		if got.err != nil || got.tr.Changed != changed || got.tr.To != to {
			t.Fatalf("got %+v, want changed=%v to %q", got, changed, to)
		}
	}

	expectHandledBy(idle, "started")
	send(&which{})
	expectHandledBy(idle, "which")

	send(&fire{ev: finish})
	if got := actortest.ExpectNext[*fired](t, p, wait); !errors.Is(got.err, fsm.ErrRefused) || got.tr.To != idle {
		t.Fatalf("refused event: got %+v, want fsm.ErrRefused in idle", got)
	}

	send(&fire{ev: start})
	if got := actortest.ExpectNext[*observed](t, p, wait); got.tr.From != idle || got.tr.To != busy {
		t.Fatalf("observed %+v, want idle -> busy", got.tr)
	}
	expectFired(true, busy)
	send(&which{})
	expectHandledBy(busy, "which")

	send(&fire{ev: start})
	expectFired(false, busy) // a stay: ExpectNext proves no observer message came first
	send(&fire{ev: finish})
	if got := actortest.ExpectNext[*observed](t, p, wait); got.tr.From != busy || got.tr.To != done {
		t.Fatalf("observed %+v, want busy -> done", got.tr)
	}
	expectFired(true, done)
	send(&which{})
	expectHandledBy(done, "which")
}
