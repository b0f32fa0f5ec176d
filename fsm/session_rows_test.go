package fsm

import (
	"slices"
	"testing"
	"time"
)

// Scenario tests of the session keeper's rows.

// keeper drives the session keeper under virtual time.
type keeper struct {
	tb   testing.TB
	t    SessionTiming
	s    SessionState
	now  time.Time
	last []SessionEffect
}

func newKeeper(tb testing.TB) *keeper {
	return &keeper{tb: tb, t: SessionTiming{Renew: time.Second, ProofWindow: 3 * time.Second}, s: NewSessionState(), now: time.Unix(1_700_000_000, 0)}
}

// feed decides in at the keeper's clock.
func (k *keeper) feed(in SessionInput) {
	in.At = k.now
	k.s, k.last = SessionStep(k.t, k.s, in)
}

// kinds lists the kinds of the last step's effects.
func (k *keeper) kinds() []SessionEffectKind {
	out := make([]SessionEffectKind, len(k.last))
	for i, e := range k.last {
		out[i] = e.Kind
	}
	return out
}

// want fails unless the last step's effects are of kinds, in order.
func (k *keeper) want(what string, kinds ...SessionEffectKind) {
	k.tb.Helper()
	if !slices.Equal(k.kinds(), kinds) {
		k.tb.Fatalf("%s: effects %v, want %v (%+v)", what, k.kinds(), kinds, k.last)
	}
}

// effect returns the last step's effect of kind.
func (k *keeper) effect(kind SessionEffectKind) SessionEffect {
	k.tb.Helper()
	for _, e := range k.last {
		if e.Kind == kind {
			return e
		}
	}
	k.tb.Fatalf("no %v in %+v", kind, k.last)
	return SessionEffect{}
}

// live opens session "s1" at revision 1.
func (k *keeper) live() {
	k.tb.Helper()
	k.feed(SessionInput{Kind: SessInProve})
	k.want("a session needed", SessDoOpen, SessDoWait)
	k.now = k.now.Add(10 * time.Millisecond)
	k.feed(SessionInput{Kind: SessInOpened, Key: "s1", Revision: 1, Result: WriteOK})
	k.want("opened", SessDoPublish, SessDoAnswer)
	if a := k.effect(SessDoAnswer); a.Key != "s1" || !a.Proof.Equal(k.now.Add(-10*time.Millisecond)) {
		k.tb.Fatalf("answer %+v: want s1, proven when its create was sent", a)
	}
}

func TestSessionAFreshProofIsHandedOutWithoutAWrite(t *testing.T) {
	k := newKeeper(t)
	k.live()
	k.now = k.now.Add(k.t.Renew/2 - 20*time.Millisecond)
	k.feed(SessionInput{Kind: SessInProve, Key: "s1"})
	k.want("a proof younger than Renew/2", SessDoAnswer)
}

func TestSessionAnOlderProofWaitsForARenewal(t *testing.T) {
	k := newKeeper(t)
	k.live()
	k.now = k.now.Add(k.t.Renew)
	sent := k.now
	k.feed(SessionInput{Kind: SessInProve, Key: "s1"})
	k.want("a renewal", SessDoRenew, SessDoWait)
	k.feed(SessionInput{Kind: SessInProve, Key: "s1"})
	k.want("a second caller shares the renewal in flight", SessDoWait)
	k.now = k.now.Add(5 * time.Millisecond)
	k.feed(SessionInput{Kind: SessInRenewed, Key: "s1", Revision: 2, Result: WriteOK})
	k.want("renewed", SessDoPublish, SessDoAnswer)
	if a := k.effect(SessDoAnswer); !a.Proof.Equal(sent) || k.s.Revision != 2 {
		t.Fatalf("answer %+v, revision %d: want the proof of the renewal's send %v at revision 2", a, k.s.Revision, sent)
	}
}

func TestSessionARenewalAcknowledgedAfterProofWindowGivesTheSessionUp(t *testing.T) {
	k := newKeeper(t)
	k.live()
	k.now = k.now.Add(k.t.Renew)
	k.feed(SessionInput{Kind: SessInProve, Key: "s1"})
	k.now = k.now.Add(k.t.ProofWindow)
	k.feed(SessionInput{Kind: SessInRenewed, Key: "s1", Revision: 2, Result: WriteOK})
	k.want("given up", SessDoEnded, SessDoPublish, SessDoAnswer, SessDoOpen)
	if e := k.effect(SessDoEnded); !e.Abandoned || k.effect(SessDoAnswer).Result != WriteConflict {
		t.Fatalf("effects %+v: want the session abandoned and its callers refused", k.last)
	}
	if k.s.Phase != SessionOpening || k.s.Key != "" {
		t.Fatalf("state %+v: want the next session opening", k.s)
	}
}

func TestSessionARefusedRenewalIsReadBackAndTriedOnceMore(t *testing.T) {
	k := newKeeper(t)
	k.live()
	k.now = k.now.Add(k.t.Renew)
	k.feed(SessionInput{Kind: SessInProve, Key: "s1"})
	k.feed(SessionInput{Kind: SessInRenewed, Key: "s1", Result: WriteConflict})
	k.want("read back", SessDoRead)
	// A renewal whose answer was lost had landed at revision 5.
	k.feed(SessionInput{Kind: SessInRead, Key: "s1", Result: WriteOK, Alive: true, Revision: 5})
	if e := k.effect(SessDoRenew); e.Revision != 5 {
		t.Fatalf("renewed at %d, want the revision read, 5", e.Revision)
	}
	k.feed(SessionInput{Kind: SessInRenewed, Key: "s1", Result: WriteConflict})
	k.want("refused again: ended", SessDoEnded, SessDoPublish, SessDoAnswer, SessDoOpen)
	if k.effect(SessDoEnded).Abandoned {
		t.Fatal("a session the server let go was counted as given up")
	}
}

func TestSessionWhoseKeyHoldsNothingEnded(t *testing.T) {
	k := newKeeper(t)
	k.live()
	k.now = k.now.Add(k.t.Renew)
	k.feed(SessionInput{Kind: SessInTick})
	k.want("the keepalive renews and releases orphans", SessDoRenew, SessDoReleaseOrphans)
	k.feed(SessionInput{Kind: SessInRenewed, Key: "s1", Result: WriteConflict})
	k.feed(SessionInput{Kind: SessInRead, Key: "s1", Result: WriteOK})
	k.want("ended", SessDoEnded, SessDoPublish, SessDoAnswer, SessDoOpen)
	k.feed(SessionInput{Kind: SessInProve, Key: "s1"})
	if a := k.effect(SessDoAnswer); a.Result != WriteConflict {
		t.Fatalf("proof of the ended session answered %+v, want a conflict", a)
	}
}

func TestSessionTheKeepaliveGivesUpAnUnprovenSession(t *testing.T) {
	k := newKeeper(t)
	k.live()
	k.now = k.now.Add(k.t.Renew / 4)
	k.feed(SessionInput{Kind: SessInTick})
	k.want("nothing due yet: only orphans", SessDoReleaseOrphans)
	k.now = k.now.Add(k.t.ProofWindow)
	k.feed(SessionInput{Kind: SessInTick})
	k.want("given up, not renewed", SessDoEnded, SessDoPublish, SessDoAnswer, SessDoOpen)
}

func TestSessionAnOrphanIsReadBackAndReleasedAtTheRevisionRead(t *testing.T) {
	k := newKeeper(t)
	k.live()
	o := Orphan{Role: "r", Lease: Lease{Term: 3, Revision: 3, Nonce: "n"}}
	k.feed(SessionInput{Kind: SessInOrphanReleased, Orphan: o, Result: WriteConflict})
	k.want("read back", SessDoReadOrphan)
	k.feed(SessionInput{Kind: SessInOrphanRead, Orphan: o, Result: WriteOK, Alive: true, Revision: 4})
	if e := k.effect(SessDoReleaseOrphan); e.Orphan.Lease.Revision != 4 {
		t.Fatalf("released at %d, want the revision read, 4", e.Orphan.Lease.Revision)
	}
	k.feed(SessionInput{Kind: SessInOrphanRead, Orphan: o, Result: WriteOK, Revision: 4})
	k.want("moved on: forgotten", SessDoForgetOrphan)
	k.feed(SessionInput{Kind: SessInOrphanReleased, Orphan: o, Result: WriteFailed})
	k.want("failed: kept for the next keepalive")
}

func TestSessionCloseAnswersEveryoneWaiting(t *testing.T) {
	k := newKeeper(t)
	k.feed(SessionInput{Kind: SessInProve})
	k.feed(SessionInput{Kind: SessInClose})
	k.want("closed", SessDoPublish, SessDoAnswer, SessDoStop)
	if a := k.effect(SessDoAnswer); a.Result != WritePermanent || a.Err != SessionClosedErr {
		t.Fatalf("answer %+v, want closed", a)
	}
	k.feed(SessionInput{Kind: SessInOpened, Key: "s1", Result: WriteOK})
	k.want("a create answered after the close is left to expire")
}
