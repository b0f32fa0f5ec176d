package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
)

// The election's behaviour switches with its phase (Proto.Actor's Become).
// The phase lives in a register, the election table run by looplab
// (fsm.Machine): every move the decision core makes is fired on it, so a
// move the table does not declare is refused and logged, and the behaviour
// follows the register. A leader's behaviour takes its heartbeat's ticks to
// the core; the others drop them, since no row outside leadership renews.

// phaseRegister is an election's phase register and the behaviour it
// selects.
type phaseRegister struct {
	// machine runs the election table from its initial phase.
	machine *fsm.Machine
	// behaviour receives with the current phase's behaviour.
	behaviour actor.Behavior
}

// electionTable is the election table, validated once for every election
// of the process; each election's register is a Fresh machine of it.
var electionTable = func() *fsm.Machine {
	m, err := fsm.NewMachine(fsm.Election())
	if err != nil {
		panic(err) // the table is built in code, and fsm's tests validate it
	}
	return m
}()

// moved fires the core's move on the register and switches the behaviour
// to the register's phase.
func (a *electionActor) moved(e fsm.Effect) {
	if tr, err := a.phase.machine.Fire(e.Event); err != nil || tr.To != e.To {
		a.logger().Error("the decision core moved the phase in a way the election table does not declare",
			"from", string(e.From), "to", string(e.To), "event", string(e.Event), "register", string(tr.To), "err", err)
	}
	a.phase.behaviour.Become(a.behaviourOf(a.phase.machine.Current()))
}

// behaviourOf is the receive function of phase p.
func (a *electionActor) behaviourOf(p fsm.State) actor.ReceiveFunc {
	if p == fsm.StateLeader {
		return a.receiveLeading
	}
	return a.receiveNotLeading
}

// receiveLeading is the leader's behaviour: its heartbeat child's ticks
// become the core's heartbeat ticks, and a restarted child is armed again.
func (a *electionActor) receiveLeading(ctx actor.Context) {
	now := a.clock.Now()
	switch msg := ctx.Message().(type) {
	case *heartbeatTick:
		if in, ok := a.heartbeatInput(msg, now); ok {
			a.step(ctx, in)
		}
	case *heartbeatReady:
		a.onHeartbeatReady(ctx, now)
	default:
		a.receive(ctx, now)
	}
}

// receiveNotLeading is the behaviour of every other phase: a heartbeat's
// tick or start is left over from a term that has ended.
func (a *electionActor) receiveNotLeading(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *heartbeatTick, *heartbeatReady:
	default:
		a.receive(ctx, a.clock.Now())
	}
}
