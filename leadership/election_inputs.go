package leadership

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/outcome"
	"github.com/batonhq/baton/transport"
)

// Conversions from what the election actor receives to the decision core's
// inputs. They translate; they decide nothing.

// keyInput turns a watch event into what the core sees of the key.
func (a *electionActor) keyInput(ev transport.KeyEvent, now time.Time) fsm.Input {
	k := fsm.KeyView{Free: ev.Kind.Free(), Revision: ev.Entry.Revision}
	if ev.Entry.Malformed == nil && ev.Entry.Record.OfferedTo != "" && (ev.Kind == transport.KeyPut || ev.Kind == transport.KeySessionEnded) {
		k.Expiring, k.Written = true, ev.Entry.Written
	}
	if ev.Kind == transport.KeySessionEnded {
		k.Session, k.SessionEnd = ev.Entry.Record.Session, ev.SessionEnd
	}
	if !k.Free {
		if ev.Entry.Malformed != nil {
			k.Holder = fsm.Holder{Name: ForeignHolder, Foreign: true, Revision: ev.Entry.Revision}
		} else {
			rec := ev.Entry.Record
			if rec.Holder != a.cfg.InstanceID {
				a.terms.prevTrace = rec.Trace
			}
			k.Holder = fsm.Holder{Name: rec.Holder, Term: ev.Entry.Term(), Revision: ev.Entry.Revision, Nonce: rec.Nonce, OfferedTo: rec.OfferedTo}
			k.Ours = rec.Holder == a.cfg.InstanceID && rec.Session != "" && rec.Session == a.store.Session()
		}
	}
	return fsm.Input{Kind: fsm.InKey, At: now, Key: k}
}

// acquireInput turns the store's answer to an acquisition into the core's.
func (a *electionActor) acquireInput(msg *acquireDone, now time.Time) fsm.Input {
	in := fsm.Input{Kind: fsm.InAcquired, At: now, Seq: msg.seq, SentAt: msg.sentAt, Result: outcome.Of(msg.err)}
	if msg.err == nil {
		in.Lease = fsm.Lease{Term: msg.lease.Term, Revision: msg.lease.Revision, Nonce: msg.nonce}
		a.terms.records.put(msg.lease.Term, msg.lease.Record)
	} else {
		a.noteError("acquisition failed", msg.err)
		in.Err = msg.err.Error()
	}
	return in
}

// renewInput turns the store's answer to a renewal into the core's.
func renewInput(msg *renewDone, now time.Time) fsm.Input {
	in := fsm.Input{Kind: fsm.InRenewed, At: now, SentAt: msg.sentAt, Result: outcome.Of(msg.err),
		Lease: fsm.Lease{Term: msg.term, Revision: msg.lease.Revision}}
	if msg.err != nil {
		in.Err = msg.err.Error()
	}
	return in
}

// confirmInput turns the store's answer to a confirmation into the core's.
func (a *electionActor) confirmInput(msg *confirmDone, now time.Time) fsm.Input {
	in := fsm.Input{Kind: fsm.InConfirmed, At: now, Seq: msg.seq, SentAt: msg.sentAt, Result: outcome.Of(msg.err),
		Lease: fsm.Lease{Term: msg.lease.Term, Revision: msg.lease.Revision}, Stored: msg.lease.Stored}
	if msg.err != nil {
		a.noteError("reading back a claim failed", msg.err)
		in.Err = msg.err.Error()
	}
	return in
}

// noteRenewal logs a renewal's answer; the core decides what it means.
func (a *electionActor) noteRenewal(msg *renewDone) {
	if msg.err != nil {
		a.lastErr = msg.err
		a.logger().Warn("renewal failed", "class", transport.ClassOf(msg.err).String(), "err", msg.err)
		return
	}
	a.logger().Debug("renewed", "revision", msg.lease.Revision)
}

// readInput turns the store's answer to a read into the core's: the key as
// a watch event would show it.
func (a *electionActor) readInput(msg *readDone, now time.Time) fsm.Input {
	if msg.err != nil {
		a.noteError("reading the key failed", msg.err)
		return fsm.Input{Kind: fsm.InRead, At: now, Seq: msg.seq, Result: outcome.Of(msg.err), Err: msg.err.Error()}
	}
	in := a.keyInput(msg.event, now)
	in.Kind, in.Seq, in.Result = fsm.InRead, msg.seq, fsm.WriteOK
	return in
}

// releaseInput turns the store's answer to a release into the core's.
func releaseInput(msg *releaseDone, now time.Time) fsm.Input {
	in := fsm.Input{Kind: fsm.InReleased, At: now, Result: outcome.Of(msg.err), Lease: fsm.Lease{Term: msg.term}}
	if msg.err != nil {
		in.Err = msg.err.Error()
	}
	return in
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
