package leadership

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// electionActor is one election, as an interpreter of the decision core
// (fsm.Step): it turns each message into an input, steps the core and carries
// out the effects. It decides nothing itself; every choice is a row of the
// core. Its fields are touched only from Receive, on the actor's goroutine;
// the facade sees them only through the Status snapshot handed to onStatus.
type electionActor struct {
	// electionSettings (cfg, seed, clock, log, tel) are fixed when the
	// actor is built; embedded, they read as the actor's own.
	electionSettings
	// state is the decision core's state, stepped by every input.
	state fsm.ElectionState
	// phase is the phase register, whose phase selects the behaviour.
	phase phaseRegister
	// statuses is where the Status snapshots of the core's state go.
	statuses statusBoard

	// timers are the core's timers, armed on the actor's clock.
	timers *actors.Timers
	// store is the actor's share of its system's store, given back when
	// it stops; opening hands over the one the newest open returns.
	store   *storeRef
	opening *storeHandoff
	// children and heartbeat are the supervised children, by the core's
	// name for each.
	children  children
	heartbeat heartbeat

	// candidates is the registry's order as last reported (shared with
	// every Status, never modified).
	candidates []Candidate
	// terms is what the actor keeps of terms beside the core: their
	// records, the previous term's trace, our term's start.
	terms termBook
	// waiting are the senders of a Resign or a stop, waiting for the
	// answer (see waiters).
	waiting *waiters
	// lastErr is the last error the election met, as a value: the core
	// keeps only its text (see errorOf).
	lastErr error
}

// newElectionActor builds the actor for a validated config.
func newElectionActor(cfg *Config, onStatus func(*Status)) *electionActor {
	a := &electionActor{
		electionSettings: newElectionSettings(cfg),
		state:            fsm.NewElectionState(),
		statuses:         statusBoard{onStatus: onStatus},
	}
	a.phase = phaseRegister{machine: electionTable.Fresh(), behaviour: actor.NewBehavior()}
	a.phase.behaviour.Become(a.behaviourOf(a.phase.machine.Current()))
	return a
}

// Receive implements actor.Actor with the behaviour of the current phase.
func (a *electionActor) Receive(ctx actor.Context) { a.phase.behaviour.Receive(ctx) }

// receive is what every phase's behaviour does with the messages it does
// not handle itself: each becomes an input of the decision core.
func (a *electionActor) receive(ctx actor.Context, now time.Time) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.timers = actors.NewTimers(ctx, actors.WithClock(a.clock))
		a.tel.watchLease(&a.statuses.latest)
		a.tel.connected(a.cfg.Conn.IsConnected())
		a.step(ctx, fsm.Input{Kind: fsm.InStart, At: now})
	case *actor.Stopping:
		a.step(ctx, fsm.Input{Kind: fsm.InStop, At: now, Forced: true})
	case *actor.Restarting:
		a.step(ctx, fsm.Input{Kind: fsm.InStop, At: now, Forced: true, Err: "the election actor failed and restarts"})
		a.release()
	case *actor.Stopped:
		a.release()
	case *storeOpened:
		a.onStoreOpened(ctx, msg, now)
	case *keyObserved:
		a.step(ctx, a.keyInput(msg.event, now))
	case *callDone:
		a.onCallDone(ctx, msg, now)
	case *WorkStopped:
		a.step(ctx, fsm.Input{Kind: fsm.InWorkStopped, At: now, Term: msg.Token.Revision})
	case *actors.Tick:
		if a.timers.Current(msg) {
			a.catchUp(ctx, now)
			a.step(ctx, fsm.Input{Kind: fsm.InTick, At: now, Timer: timerNamed(msg.Name), Term: msg.Term})
		}
	case *connChanged:
		a.onConnChanged(ctx, msg.event, now)
	case *childStarted:
		ctx.Respond(a.setupOf(msg.child))
	case *healthReport:
		a.step(ctx, healthInput(msg, now))
	case *actors.ChildGaveUp:
		a.step(ctx, a.childFailedInput(msg, now))
	case *GetStatus:
		ctx.Respond(a.snapshot())
	case *Resign:
		if sender := ctx.Sender(); sender != nil {
			w := a.waiters()
			w.resign = append(w.resign, sender)
		}
		a.step(ctx, fsm.Input{Kind: fsm.InResign, At: now, Successor: msg.Successor, SuccessorLive: a.live(msg.Successor)})
	case *candidatesChanged:
		a.candidates = msg.order
		a.step(ctx, fsm.Input{Kind: fsm.InCandidates, At: now, Candidates: rankedOf(msg.order)})
		a.publish() // Status.Candidates changed even if the core's state did not
	case *GetCandidates:
		ctx.Respond(&CandidateList{Role: a.cfg.Role, Candidates: a.candidates})
	case *stopElection:
		if sender := ctx.Sender(); sender != nil {
			w := a.waiters()
			w.stop = append(w.stop, sender)
		}
		a.step(ctx, fsm.Input{Kind: fsm.InStop, At: now, KeepLease: msg.keepLease})
	}
}

// step runs the decision core on in, publishes the status if anything
// changed, and carries out the effects, in order. The status goes first so
// that whoever hears of a Promoted or a Demoted already sees it in Status.
// A leader's input carries the newest proof of its lease's session.
func (a *electionActor) step(ctx actor.Context, in fsm.Input) {
	if a.cfg.Sessions && a.state.Leading() {
		in.SessionProof = a.sessionProof(a.state.Lease.Term, in.At)
	}
	before := a.state
	next, effects := fsm.Step(a.timing(), a.state, in)
	a.state = next
	if shown(a.state) != shown(before) {
		a.publish()
	}
	for _, e := range effects {
		a.carryOut(ctx, e)
	}
	a.forgetStaleRecords()
}

// shown is the part of a state that Status shows: the revisions at which
// the key was last seen are left out, so the followers of a busy role do not
// publish a snapshot for every renewal of its leader.
func shown(s fsm.ElectionState) fsm.ElectionState {
	s.Observed.Revision, s.FreeRevision = 0, 0
	return s
}

// catchUp tells the core, before a timer's tick, of a change of the key
// the watch child has reported but that still waits in the mailbox behind
// other messages (the child leaves its newest report in
// children.newestKey): a timer decides on what the core knows of the key,
// and with many candidates on a busy host a stand-by that ends before its
// candidate has read the successor's acquisition would otherwise start
// the very race it exists to avoid. Only a newer revision than the core
// has seen is news; the report itself is handled again when the mailbox
// delivers it, and changes nothing then.
func (a *electionActor) catchUp(ctx actor.Context, now time.Time) {
	msg := a.children.newestKey.Load()
	if msg != nil && msg.event.Entry.Revision > max(a.state.Observed.Revision, a.state.FreeRevision) {
		a.step(ctx, a.keyInput(msg.event, now))
	}
}

// onStoreOpened keeps the opened store (given back when the actor stops)
// and tells the core.
func (a *electionActor) onStoreOpened(ctx actor.Context, msg *storeOpened, now time.Time) {
	in := fsm.Input{Kind: fsm.InStoreOpened, At: now}
	switch {
	case msg.err != nil:
		a.lastErr = msg.err
		in.Err = msg.err.Error()
		in.Permanent = transport.ClassOf(msg.err) == transport.ClassPermanent || errors.Is(msg.err, ErrInvalidConfig) // settings that differ from the shared store's never heal
	default:
		if s := msg.handoff.take(); s != nil {
			a.store = s
		}
	}
	a.step(ctx, in)
}

// onConnChanged records the connection for telemetry and tells the core of
// a loss, a return or a close.
func (a *electionActor) onConnChanged(ctx actor.Context, ev transport.ConnEvent, now time.Time) {
	a.logger().Info("connection "+ev.State.String(), "state", ev.State.String())
	var state fsm.ConnState
	switch ev.State {
	case transport.Disconnected:
		state = fsm.ConnLost
	case transport.Reconnected:
		state = fsm.ConnBack
	case transport.Closed:
		state = fsm.ConnClosed
		a.lastErr = transport.ErrClosed
	default:
		return // the first report of a live connection changes nothing
	}
	a.tel.connected(state == fsm.ConnBack)
	a.step(ctx, fsm.Input{Kind: fsm.InConnection, At: now, Conn: state})
}

// release closes what the actor owns once it has stopped.
func (a *electionActor) release() {
	if a.timers != nil {
		a.timers.CancelAll()
	}
	if a.opening != nil {
		a.opening.abandon()
	}
	if a.store != nil {
		a.store.Close()
		a.store = nil
	}
	a.tel.unwatchLease()
}

// forgetStaleRecords drops the records of terms the core no longer holds.
func (a *electionActor) forgetStaleRecords() {
	a.terms.records.keepOnly(a.state.Lease.Term, a.state.Confirming.Term, a.state.Unreleased.Term)
}

// term is the term this candidate knows of: its own while it holds a lease,
// else the observed holder's (0 when none).
func (a *electionActor) term() uint64 {
	if a.state.Lease.Term != 0 {
		return a.state.Lease.Term
	}
	return a.state.Observed.Term
}

// logger returns the election's logger with the current term and the term's
// correlation id (role/revision/nonce), so every record of one term can be
// found together.
func (a *electionActor) logger() *slog.Logger {
	l, h := a.state.Lease, a.state.Observed
	switch {
	case l.Term != 0:
		return a.log.With("term", l.Term, "term_id", a.cfg.Role+"/"+strconv.FormatUint(l.Term, 10)+"/"+l.Nonce)
	case h.Term != 0:
		return a.log.With("term", h.Term, "term_id", a.cfg.Role+"/"+strconv.FormatUint(h.Term, 10)+"/"+h.Nonce)
	default:
		return a.log.With("term", uint64(0))
	}
}
