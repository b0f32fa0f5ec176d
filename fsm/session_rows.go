package fsm

import "sync"

// The session keeper as rows (see session.go), applied by the row engine:
// for the phase and the input, the first row whose guard holds applies, and
// every (phase, input) pair ends with a row without a guard.
//
// What proves a session: a write of its key, acknowledged within
// ProofWindow of the newest proof (see core_proof.go for why a late
// acknowledgement proves nothing). A session unproven for ProofWindow is
// given up, not renewed: a new one opens at once, and the leases the old
// one kept end with it.

// sessionRows returns the session keeper's rows.
func sessionRows() []row[*sessionStep, SessionInputKind] {
	n, o, l, z := SessionNone, SessionOpening, SessionLive, SessionClosed
	return []row[*sessionStep, SessionInputKind]{
		// Proof asked for, by a lease's renewal or an acquisition binding
		// to the live session.
		{on: in(z), input: SessInProve, do: answerClosed},
		{on: in(n, o, l), input: SessInProve, when: "of a session that is not the live one", guard: otherSession, do: answerEnded},
		{on: in(n), input: SessInProve, event: EvSessionOpen, do: openSession},
		{on: in(o), input: SessInProve, do: sessEmit(SessDoWait)},
		{on: in(l), input: SessInProve, when: "proven within half a renewal interval", guard: freshProof, do: answerProof},
		{on: in(l), input: SessInProve, when: "unproven for ProofWindow", guard: unprovenSession, event: EvSessionEnded, do: abandonSession},
		{on: in(l), input: SessInProve, when: "a renewal is in flight", guard: sessionRenewing, do: sessEmit(SessDoWait)},
		{on: in(l), input: SessInProve, do: renewAndWait},

		// The create of a session key answered.
		{on: in(o), input: SessInOpened, when: "created", guard: sessResult(WriteOK), event: EvSessionOpened, do: sessionOpened},
		{on: in(o), input: SessInOpened, event: EvSessionOpenFailed, do: answerResult},
		{on: in(n, l, z), input: SessInOpened, do: sessIgnore},

		// A renewal of the live session answered.
		{on: in(l), input: SessInRenewed, when: "refused: read the key back once", guard: sessAll(ourRenewal, sessResult(WriteConflict), notReadBack), do: readSession},
		{on: in(l), input: SessInRenewed, when: "acknowledged after ProofWindow without proof", guard: sessAll(ourRenewal, sessResult(WriteOK), unprovenSession), event: EvSessionEnded, do: abandonSession},
		{on: in(l), input: SessInRenewed, when: "acknowledged", guard: sessAll(ourRenewal, sessResult(WriteOK)), do: sessionRenewed},
		{on: in(l), input: SessInRenewed, when: "refused again: the server let the session go", guard: sessAll(ourRenewal, sessResult(WriteConflict)), event: EvSessionEnded, do: sessionLetGo},
		{on: in(l), input: SessInRenewed, when: "failed", guard: ourRenewal, do: renewalFailed},
		{on: in(n, o, l, z), input: SessInRenewed, do: sessIgnore},

		// The read-back of a refused renewal answered.
		{on: in(l), input: SessInRead, when: "the key still holds a write of ours not heard of: renew over it", guard: sessAll(ourRenewal, sessResult(WriteOK), keyAlive), do: renewAtRead},
		{on: in(l), input: SessInRead, when: "the key holds nothing: the server let the session go", guard: sessAll(ourRenewal, sessResult(WriteOK)), event: EvSessionEnded, do: sessionLetGo},
		{on: in(l), input: SessInRead, when: "failed", guard: ourRenewal, do: renewalFailed},
		{on: in(n, o, l, z), input: SessInRead, do: sessIgnore},

		// The keepalive.
		{on: in(l), input: SessInTick, when: "unproven for ProofWindow, nothing in flight", guard: sessAll(notRenewingSession, unprovenSession), event: EvSessionEnded, do: abandonSession},
		{on: in(l), input: SessInTick, when: "nothing sent for half a renewal interval", guard: sessAll(notRenewingSession, renewalDue), do: renewThenReleaseOrphans},
		{on: in(l), input: SessInTick, do: releaseOrphans},
		{on: in(n, o, z), input: SessInTick, do: sessIgnore},

		// Leases of this session whose elections stopped without releasing
		// them: no election is left to read a refused release back.
		{on: in(z), input: SessInOrphanReleased, do: sessIgnore},
		{on: in(n, o, l), input: SessInOrphanReleased, when: "released, or never releasable", guard: sessEither(sessResult(WriteOK), sessResult(WritePermanent)), do: forgetOrphan},
		{on: in(n, o, l), input: SessInOrphanReleased, when: "refused: read its key back", guard: sessResult(WriteConflict), do: readOrphan},
		{on: in(n, o, l), input: SessInOrphanReleased, when: "failed: tried again at the next keepalive", do: sessIgnore},
		{on: in(z), input: SessInOrphanRead, do: sessIgnore},
		{on: in(n, o, l), input: SessInOrphanRead, when: "the key holds the same lease at a later revision (an offer whose answer was lost)", guard: sessAll(sessResult(WriteOK), keyAlive, orphanMoved), do: releaseOrphanAtRead},
		{on: in(n, o, l), input: SessInOrphanRead, when: "the key moved on", guard: sessResult(WriteOK), do: forgetOrphan},
		{on: in(n, o, l), input: SessInOrphanRead, when: "failed: tried again at the next keepalive", do: sessIgnore},

		{on: in(n, o, l), input: SessInClose, event: EvSessionClose, do: closeSession},
		{on: in(z), input: SessInClose, do: sessIgnore},
	}
}

// sessionStep is one application of SessionStep.
type sessionStep struct {
	t       SessionTiming
	s       SessionState
	in      SessionInput
	effects []SessionEffect
}

// sessionEngine checks the session rows against the table once, when
// SessionStep is first called.
var sessionEngine = sync.OnceValues(func() (*engine[*sessionStep, SessionInputKind], error) {
	return newEngine(SessionKeeper(), sessionRows(), lastSessionInput)
})

// SessionStep is the session keeper's decision: given its timing, its state
// and one input, it returns the next state and the effects to carry out, in
// order. Like Step it reads no clock, does no I/O and keeps no state.
func SessionStep(t SessionTiming, s SessionState, in SessionInput) (SessionState, []SessionEffect) {
	c := &sessionStep{t: t, s: s, in: in}
	if c.s.Phase == "" {
		c.s.Phase = SessionNone
	}
	loaded(sessionEngine).apply(c, in.Kind)
	return c.s, c.effects
}

// SessionRows describes the session keeper's rows for the generated docs.
func SessionRows() []RowDoc { return docs(sessionRows()) }

// phase implements stepper.
func (c *sessionStep) phase() State { return c.s.Phase }

// enter implements stepper: a row that fires an event moves the phase.
func (c *sessionStep) enter(ev Event, to State, _ Reason) {
	if ev != "" {
		c.s.Phase = to
	}
}

func (c *sessionStep) emit(e SessionEffect) { c.effects = append(c.effects, e) }
