package fsm

import "time"

// Guards and actions of the session keeper's rows.

// Errors the session keeper answers with, besides a write's own.
const (
	// SessionClosedErr: the store closed.
	SessionClosedErr = "the store closed"
	// SessionEndedErr: the session asked about is not the live one.
	SessionEndedErr = "the session ended"
	// SessionAbandonedErr: the live session went unproven for ProofWindow
	// and was given up.
	SessionAbandonedErr = "not proven within ProofWindow: given up"
	// SessionLetGoErr: the server let the session go (expired or deleted).
	SessionLetGoErr = "the server let it go (expired or deleted)"
)

func sessAll(gs ...func(*sessionStep) bool) func(*sessionStep) bool {
	return func(c *sessionStep) bool {
		for _, g := range gs {
			if !g(c) {
				return false
			}
		}
		return true
	}
}

func sessEither(a, b func(*sessionStep) bool) func(*sessionStep) bool {
	return func(c *sessionStep) bool { return a(c) || b(c) }
}

func sessResult(r WriteResult) func(*sessionStep) bool {
	return func(c *sessionStep) bool { return c.in.Result == r }
}

// otherSession: the caller asks about a session that is not the live one.
func otherSession(c *sessionStep) bool { return c.in.Key != "" && c.in.Key != c.s.Key }

// freshProof: the newest proof is younger than half a renewal interval, so
// a lease's renewal would only hand it over again.
func freshProof(c *sessionStep) bool { return c.in.At.Sub(c.s.Proven) < c.t.Renew/2 }

// unprovenSession: the newest proof is ProofWindow old: a renewal
// acknowledged now may replace a write that expired already, and the
// expiry marker may erase it.
func unprovenSession(c *sessionStep) bool { return c.in.At.Sub(c.s.Proven) >= c.t.ProofWindow }

func sessionRenewing(c *sessionStep) bool    { return c.s.Renewing }
func notRenewingSession(c *sessionStep) bool { return !c.s.Renewing }

// ourRenewal: the answer is of the live session's renewal in flight; a
// renewal of a session that ended since was answered when it ended.
func ourRenewal(c *sessionStep) bool { return c.s.Renewing && c.in.Key == c.s.Key }

func notReadBack(c *sessionStep) bool { return !c.s.ReadBack }
func keyAlive(c *sessionStep) bool    { return c.in.Alive }

// orphanMoved: the read found the orphan's lease at a later revision.
func orphanMoved(c *sessionStep) bool { return c.in.Revision > c.in.Orphan.Lease.Revision }

// renewalDue: nothing was written for half a renewal interval.
func renewalDue(c *sessionStep) bool { return c.in.At.Sub(c.s.LastSent) >= c.t.Renew/2 }

func sessIgnore(*sessionStep) {}

func sessEmit(k SessionEffectKind) func(*sessionStep) {
	return func(c *sessionStep) { c.emit(SessionEffect{Kind: k}) }
}

func answerClosed(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WritePermanent, Err: SessionClosedErr})
}

func answerEnded(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WriteConflict, Err: SessionEndedErr})
}

// answerResult answers with the input's own result.
func answerResult(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: c.in.Result, Err: c.in.Err})
}

// openSession creates a session key; the caller waits for it.
func openSession(c *sessionStep) {
	c.s.SentAt = c.in.At
	c.emit(SessionEffect{Kind: SessDoOpen})
	c.emit(SessionEffect{Kind: SessDoWait})
}

// sessionOpened makes the created key the live session, proven when its
// create was sent.
func sessionOpened(c *sessionStep) {
	c.s.Key, c.s.Revision = c.in.Key, c.in.Revision
	c.s.Proven, c.s.LastSent = c.s.SentAt, c.s.SentAt
	c.publish()
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WriteOK, Key: c.s.Key, Proof: c.s.Proven})
}

// answerProof answers with the newest proof, without a write.
func answerProof(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WriteOK, Key: c.s.Key, Proof: c.s.Proven})
}

// renewAndWait renews the live session; the caller waits for the answer.
func renewAndWait(c *sessionStep) {
	c.renew()
	c.emit(SessionEffect{Kind: SessDoWait})
}

// renewThenReleaseOrphans renews the live session and releases its
// orphans.
func renewThenReleaseOrphans(c *sessionStep) {
	c.renew()
	releaseOrphans(c)
}

// renew rewrites the live session's key at its newest revision.
func (c *sessionStep) renew() {
	c.s.Renewing, c.s.ReadBack = true, false
	c.s.SentAt, c.s.LastSent = c.in.At, c.in.At
	c.emit(SessionEffect{Kind: SessDoRenew, Key: c.s.Key, Revision: c.s.Revision})
}

// readSession reads a refused renewal's key back: a renewal whose answer
// was lost may have moved it on.
func readSession(c *sessionStep) {
	c.s.ReadBack = true
	c.emit(SessionEffect{Kind: SessDoRead, Key: c.s.Key})
}

// renewAtRead renews over the write of ours the read found. What it
// proves still counts from the first send, the earlier one.
func renewAtRead(c *sessionStep) {
	c.s.LastSent = c.in.At
	c.emit(SessionEffect{Kind: SessDoRenew, Key: c.s.Key, Revision: c.in.Revision})
}

// sessionRenewed counts the acknowledged renewal as proof from when it was
// first sent.
func sessionRenewed(c *sessionStep) {
	c.s.Renewing = false
	c.s.Revision = max(c.s.Revision, c.in.Revision)
	if c.s.SentAt.After(c.s.Proven) {
		c.s.Proven = c.s.SentAt
		c.publish()
	}
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WriteOK, Key: c.s.Key, Proof: c.s.SentAt})
}

// renewalFailed answers with the failure; the keepalive tries again.
func renewalFailed(c *sessionStep) {
	c.s.Renewing = false
	answerResult(c)
}

// abandonSession gives the live session up for want of proof: its key is
// never written again (it expires on the server), and the next opens now.
func abandonSession(c *sessionStep) { c.end(true, SessionAbandonedErr) }

// sessionLetGo ends the live session the server let go.
func sessionLetGo(c *sessionStep) { c.end(false, SessionLetGoErr) }

// end forgets the live session, which ended, answers everyone waiting on it
// that it did, and opens the next one now, not at the next acquisition: the
// registry's entries need one to stay in the order of succession.
func (c *sessionStep) end(abandoned bool, why string) {
	c.emit(SessionEffect{Kind: SessDoEnded, Key: c.s.Key, Abandoned: abandoned})
	c.s = SessionState{Phase: c.s.Phase, SentAt: c.in.At}
	c.publish()
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WriteConflict, Err: why})
	c.emit(SessionEffect{Kind: SessDoOpen})
}

// releaseOrphans releases the orphans of the live session.
func releaseOrphans(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoReleaseOrphans, Key: c.s.Key})
}

func forgetOrphan(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoForgetOrphan, Orphan: c.in.Orphan})
}

func readOrphan(c *sessionStep) {
	c.emit(SessionEffect{Kind: SessDoReadOrphan, Orphan: c.in.Orphan})
}

// releaseOrphanAtRead releases the orphan again at the revision read.
func releaseOrphanAtRead(c *sessionStep) {
	o := c.in.Orphan
	o.Lease.Revision = c.in.Revision
	c.emit(SessionEffect{Kind: SessDoReleaseOrphan, Orphan: o})
}

// closeSession stops renewing; the key is left to expire, and with it the
// leases an election chose to keep.
func closeSession(c *sessionStep) {
	c.s = SessionState{Phase: c.s.Phase}
	c.publish()
	c.emit(SessionEffect{Kind: SessDoAnswer, Result: WritePermanent, Err: SessionClosedErr})
	c.emit(SessionEffect{Kind: SessDoStop})
}

// publish publishes the live session and its proof (none when no session
// lives).
func (c *sessionStep) publish() {
	var proof time.Time
	if c.s.Key != "" {
		proof = c.s.Proven
	}
	c.emit(SessionEffect{Kind: SessDoPublish, Key: c.s.Key, Proof: proof})
}
