package leadership

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

// Conversions from what the election actor receives to the decision core's
// inputs. They translate; they decide nothing.

// keyInput turns a watch event into what the core sees of the key.
func (a *electionActor) keyInput(ev transport.KeyEvent, now time.Time) fsm.Input {
	a.noteHolder(ev)
	return fsm.Input{Kind: fsm.InKey, At: now, Key: interpret.KeyView(ev, a.cfg.InstanceID)}
}

// noteHolder keeps the trace of another holder's term that the key shows,
// so our next acquisition's span links to it.
func (a *electionActor) noteHolder(ev transport.KeyEvent) {
	if !ev.Kind.Free() && ev.Entry.Malformed == nil && ev.Entry.Record.Holder != a.cfg.InstanceID {
		a.terms.prevTrace = ev.Entry.Record.Trace
	}
}

// healthInput turns a health report into the core's input.
func healthInput(msg *healthReport, now time.Time) fsm.Input {
	in := fsm.Input{Kind: fsm.InHealth, At: now, Failures: msg.failures}
	if msg.err != nil {
		in.Err = msg.err.Error()
	}
	return in
}

// childFailedInput names the child that gave up and forgets its PID.
func (a *electionActor) childFailedInput(msg *actors.ChildGaveUp, now time.Time) fsm.Input {
	in := fsm.Input{Kind: fsm.InChildFailed, At: now, Err: errorText(msg.Reason)}
	if which, ok := a.children.gaveUp(msg.Child); ok {
		in.Child = which
	} else if msg.Child.Equal(a.heartbeat.pid) {
		a.heartbeat.pid, a.heartbeat.armed, in.Child = nil, false, fsm.ChildHeartbeat
	} else {
		return fsm.Input{Kind: fsm.InTick, At: now} // not ours: a tick of no timer changes nothing
	}
	a.logger().Error("child actor gave up", "child", in.Child.String(), "reason", in.Err)
	return in
}

// timerNamed maps a timer's name back to the core's timer.
func timerNamed(name string) fsm.Timer {
	for t := fsm.TimerCampaign; t <= fsm.LastTimer; t++ {
		if t.String() == name {
			return t
		}
	}
	return 0
}

// noteError remembers err for Status.
func (a *electionActor) noteError(what string, err error) {
	a.lastErr = err
	a.logger().Debug(what, "err", err, "class", transport.ClassOf(err).String())
}

// errorText describes a child's failure reason.
func errorText(reason any) string {
	if err, ok := reason.(error); ok {
		return err.Error()
	}
	if s, ok := reason.(string); ok {
		return s
	}
	return "unknown reason"
}

// randomSeed seeds the core's jitter and backoff.
func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return binary.LittleEndian.Uint64(b[:])
}
