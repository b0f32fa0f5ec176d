package fsm

import (
	"slices"
	"testing"
	"time"
)

// Scenario tests of the decision core's rows, without a server: each drives
// one election through a few inputs and checks the effects.

// has reports whether effects hold one of kind that matches.
func has(effects []Effect, kind EffectKind, match func(Effect) bool) bool {
	return slices.ContainsFunc(effects, func(e Effect) bool { return e.Kind == kind && (match == nil || match(e)) })
}

// mustHave fails unless the last step had an effect of kind that matches.
func (w *world) mustHave(kind EffectKind, what string, match func(Effect) bool) Effect {
	w.tb.Helper()
	i := slices.IndexFunc(w.last, func(e Effect) bool { return e.Kind == kind && (match == nil || match(e)) })
	if i < 0 {
		w.fail("no %s effect (%s) in %+v", kind, what, w.last)
	}
	return w.last[i]
}

// mustNotHave fails if the last step had an effect of kind.
func (w *world) mustNotHave(kind EffectKind) {
	w.tb.Helper()
	if has(w.last, kind, nil) {
		w.fail("unexpected %s effect in %+v", kind, w.last)
	}
}

// requirePhase fails unless the election is in phase.
func (w *world) requirePhase(phase State) {
	w.tb.Helper()
	if w.s.Phase != phase {
		w.fail("phase %s, want %s", w.s.Phase, phase)
	}
}

// lead takes a new world to leadership: the store opens, the key is free,
// the campaign timer fires and the create succeeds after 10ms.
func lead(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, 1)
	w.startClean()
	w.advance(w.t.CampaignJitter)
	w.requirePhase(StateCandidate)
	w.advance(10 * time.Millisecond)
	w.answerFirst(WriteOK)
	w.requirePhase(StateLeader)
	return w
}

// startClean opens the store at once and sees the key free.
func (w *world) startClean() {
	w.feed(Input{Kind: InStart})
	w.feed(Input{Kind: InStoreOpened})
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true}})
}

// answerFirst answers the oldest pending write with result.
func (w *world) answerFirst(result WriteResult) {
	w.tb.Helper()
	req := w.pending[0]
	w.pending = w.pending[1:]
	in := Input{SentAt: req.sentAt, Result: result}
	if result != WriteOK {
		in.Err = "boom"
	}
	switch req.kind {
	case DoAcquire:
		in.Kind, in.Seq = InAcquired, req.seq
		if result == WriteOK {
			w.rev++
			in.Lease = Lease{Term: w.rev, Revision: w.rev, Nonce: "n"}
			w.newest[w.rev], w.proven[w.rev] = w.rev, req.sentAt
			w.stamped[w.rev] = w.now
		}
	case DoRenew:
		w.renewing[req.lease.Term]--
		in.Kind, in.Lease = InRenewed, req.lease
		if result == WriteOK {
			w.rev++
			in.Lease.Revision = w.rev
			w.newest[req.lease.Term], w.proven[req.lease.Term] = w.rev, req.sentAt
		}
	case DoConfirm:
		in.Kind, in.Seq, in.Lease = InConfirmed, req.seq, req.lease
		in.Stored = w.stamped[req.lease.Revision]
	case DoRelease, DoOffer:
		in.Kind, in.Lease = InReleased, req.lease
	}
	w.feed(in)
}

func TestRowPromotionCountsTheDeadlineFromTheCreatesSendTime(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.advance(w.t.CampaignJitter)
	sentAt := w.pending[0].sentAt
	w.advance(time.Second) // the create takes a second to answer
	w.answerFirst(WriteOK)
	w.mustHave(DoPromoted, "promotion", nil)
	d := w.mustHave(DoArmTimer, "deadline", func(e Effect) bool { return e.Timer == TimerDeadline })
	if want := sentAt.Add(w.t.RenewDeadline).Sub(w.now); d.After != want || want >= w.t.RenewDeadline-time.Second+time.Millisecond {
		t.Fatalf("deadline armed %v from now, want %v (RenewDeadline after the create was sent)", d.After, want)
	}
}

func TestRowResignDuringRenewalReleasesTheNewestRevision(t *testing.T) {
	w := lead(t)
	w.advance(w.t.HeartbeatInterval)
	w.mustHave(DoRenew, "heartbeat renewal", nil)
	w.feed(Input{Kind: InResign})
	w.requirePhase(StateFollower)
	w.mustHave(DoDemoted, "demotion before the release", func(e Effect) bool { return e.Reason == ReasonResigned })
	w.mustNotHave(DoRelease) // the renewal in flight will move the revision
	w.answerFirst(WriteOK)
	rel := w.mustHave(DoRelease, "release after the renewal answered", nil)
	if rel.Lease.Revision != w.rev {
		t.Fatalf("released at revision %d, the renewal left %d", rel.Lease.Revision, w.rev)
	}
	w.answerFirst(WriteOK)
	w.mustHave(DoAnswerResign, "resign answered once released", func(e Effect) bool { return e.Err == "" })
}

func TestRowStopWaitsForTheReleaseBoundedByOpTimeout(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InStop})
	w.requirePhase(StateStopping)
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonStopped })
	w.mustHave(DoRelease, "release", nil)
	w.mustNotHave(DoFinish)
	w.advance(w.t.OpTimeout)
	w.requirePhase(StateStopped)
	if !w.finished {
		t.Fatal("a stop whose release never answered did not finish after OpTimeout")
	}

	w = lead(t)
	w.feed(Input{Kind: InStop})
	w.answerFirst(WriteOK)
	w.mustHave(DoFinish, "finish once the release answered", nil)
}

func TestRowStopKeepingTheLeaseDoesNotRelease(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InStop, KeepLease: true})
	w.mustNotHave(DoRelease)
	w.mustHave(DoFinish, "finish at once", nil)
}

func TestRowRenewalRefusedDemotesWithoutRelease(t *testing.T) {
	w := lead(t)
	w.advance(w.t.HeartbeatInterval)
	w.answerFirst(WriteConflict)
	w.requirePhase(StateFollower)
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonRenewConflict })
	w.mustNotHave(DoRelease)
}

func TestRowDeadlineDemotesWhenRenewalsGoUnanswered(t *testing.T) {
	w := lead(t)
	w.advance(w.t.RenewDeadline) // renewals are sent, never answered
	w.requirePhase(StateFollower)
	if w.s.Transitions == 0 || !has(w.last, DoDemoted, func(e Effect) bool { return e.Reason == ReasonRenewDeadline }) {
		t.Fatalf("no demotion at the deadline: %+v", w.last)
	}
}

func TestRowReconnectMustBeProven(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InConnection, Conn: ConnLost})
	w.mustHave(DoArmTimer, "grace", func(e Effect) bool { return e.Timer == TimerGrace })
	w.feed(Input{Kind: InConnection, Conn: ConnBack})
	w.mustHave(DoRenew, "proving renewal", nil)
	w.answerFirst(WriteConflict)
	w.mustHave(DoDemoted, "refuted", func(e Effect) bool { return e.Reason == ReasonReconnectRefuted })
}

func TestRowGraceEndsLeadership(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InConnection, Conn: ConnLost})
	w.advance(w.t.DisconnectGrace)
	w.requirePhase(StateFollower)
}

func TestRowLeaseMovedOnDemotesWithoutRelease(t *testing.T) {
	w := lead(t)
	w.rev++
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: Holder{Name: "b", Term: w.rev, Revision: w.rev, Nonce: "b"}}})
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonRenewConflict })
	w.mustNotHave(DoRelease)
	w.mustHave(DoLeaderChanged, "new holder", func(e Effect) bool { return e.Holder.Name == "b" })
}

func TestRowOurOwnRenewalSeenByTheWatchChangesNothing(t *testing.T) {
	w := lead(t)
	l := w.s.Lease
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: l.Revision, Holder: Holder{Name: "me", Term: l.Term, Revision: l.Revision, Nonce: l.Nonce}}})
	w.requirePhase(StateLeader)
}

func TestRowLostRaceFollowsAndLooksAgain(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.advance(w.t.CampaignJitter)
	w.answerFirst(WriteConflict)
	w.requirePhase(StateFollower)
	tm := w.mustHave(DoArmTimer, "look again", func(e Effect) bool { return e.Timer == TimerCampaign })
	if tm.After < w.t.PollInterval {
		t.Fatalf("looks again after %v, want at least PollInterval %v", tm.After, w.t.PollInterval)
	}
}

func TestRowBreakerOpensAndAllowsOneTrialAfterTheCooldown(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	for i := range w.t.BreakerThreshold {
		w.advance(w.s.RetryDelay + w.t.CampaignJitter)
		if len(w.pending) != 1 {
			w.fail("attempt %d not sent", i+1)
		}
		w.answerFirst(WriteFailed)
	}
	w.requirePhase(StateFollower)
	if w.s.Breaker != BreakerOpen {
		t.Fatalf("breaker %d after %d failures, want open", w.s.Breaker, w.t.BreakerThreshold)
	}
	w.mustHave(DoWarn, "the breaker opened", nil)
	w.advance(w.t.BreakerCooldown - time.Millisecond)
	if len(w.pending) != 0 {
		t.Fatal("an attempt ran while the breaker was open")
	}
	w.advance(time.Millisecond)
	w.requirePhase(StateCandidate)
	if w.s.Breaker != BreakerHalfOpen {
		t.Fatalf("breaker %d on the trial, want half-open", w.s.Breaker)
	}
	w.answerFirst(WriteFailed)
	w.requirePhase(StateFollower)
	if w.s.Breaker != BreakerOpen {
		t.Fatal("a failed trial did not open the breaker again")
	}
}

func TestRowUnhealthyLeaderReleasesAndCampaignsWhenHealthy(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InHealth, Failures: w.t.HealthFailureThreshold, Err: "disk full"})
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonUnhealthy })
	w.mustHave(DoRelease, "release", nil)
	w.answerFirst(WriteOK)
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: w.rev + 1}})
	w.advance(w.t.CampaignJitter)
	if len(w.pending) != 0 {
		t.Fatal("campaigned while unhealthy")
	}
	w.feed(Input{Kind: InHealth})
	w.advance(w.t.CampaignJitter)
	w.requirePhase(StateCandidate)
}

func TestRowChildFailureDemotesAndRespawns(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InChildFailed, Child: ChildWatch, Err: "panic"})
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonChildFailed })
	w.advance(w.t.RespawnDelay)
	w.mustHave(DoStartChildren, "respawn", func(e Effect) bool { return e.Child == ChildWatch })
}

func TestRowRegistryFailureKeepsTheLeaderAndRespawnsIt(t *testing.T) {
	w := lead(t)
	w.candidates("me other", true)
	w.feed(Input{Kind: InChildFailed, Child: ChildRegistry, Err: "panic"})
	w.mustNotHave(DoDemoted)
	w.requirePhase(StateLeader)
	if w.s.Order != (Order{}) || w.s.Outranked {
		t.Fatalf("order %v, outranked %v after the registry gave up; want none known", w.s.Order, w.s.Outranked)
	}
	w.advance(w.t.RespawnDelay)
	w.mustHave(DoStartChildren, "the registry restarted", func(e Effect) bool { return e.Child == ChildRegistry })
}

func TestRowResignHoldsOffCampaigning(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InResign})
	w.answerFirst(WriteOK)
	w.rev++
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: w.rev}})
	w.advance(w.t.ResignHoldOff - time.Millisecond)
	if len(w.pending) != 0 {
		t.Fatal("campaigned during the resign hold-off")
	}
	w.advance(time.Millisecond + w.t.CampaignJitter)
	w.requirePhase(StateCandidate)
}

func TestRowNotLeaderCannotResign(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.feed(Input{Kind: InResign})
	w.mustHave(DoAnswerResign, "refusal", func(e Effect) bool { return e.Err == ResignNotLeader })
}

func TestRowStoreThatCannotOpenFailsTheElection(t *testing.T) {
	w := newWorld(t, 1)
	w.feed(Input{Kind: InStart})
	w.feed(Input{Kind: InStoreOpened, Err: "no JetStream", Permanent: true})
	w.requirePhase(StateStopped)
	w.mustHave(DoFail, "failure", nil)
	w.mustHave(DoFinish, "end", nil)
}

func TestRowNoJitterCampaignsAtOnce(t *testing.T) {
	w := newWorld(t, 1)
	w.t.CampaignJitter = 0
	w.startClean()
	w.mustHave(DoArmTimer, "campaign at once", func(e Effect) bool { return e.Timer == TimerCampaign && e.After == 0 })
}

func TestStepIsDeterministic(t *testing.T) {
	a, b := newWorld(t, 7), newWorld(t, 7)
	a.start()
	b.start()
	for range 200 {
		a.randomStep()
		b.randomStep()
		if a.s != b.s || !slices.Equal(a.last, b.last) {
			t.Fatalf("same seed, different result:\n%+v\n%+v", a.s, b.s)
		}
	}
}

func TestRowATermOfOursUnderOurOwnSessionIsClaimedWhenWeLeadNone(t *testing.T) {
	w := lead(t)
	l := w.s.Lease
	// The watch shows our own lease, kept by our session: as leader it is
	// just our lease.
	mine := KeyView{Revision: l.Revision, Ours: true, Holder: Holder{Name: "me", Term: l.Term, Revision: l.Revision, Nonce: l.Nonce}}
	w.feed(Input{Kind: InKey, Key: mine})
	w.requirePhase(StateLeader)
	w.mustNotHave(DoArmTimer)
	// The term ends at its deadline, without a release, and the key still
	// names us under our session: nobody else may take it while the
	// session lives, so we claim it over its revision, with no new event
	// from the watch (the key has not changed).
	var claim Effect
	for deadline := w.now.Add(w.t.RenewDeadline + w.t.StandBy + time.Second); w.s.Phase != StateCandidate; {
		if w.now.After(deadline) {
			t.Fatalf("no campaign for the stale term by %v; phase %s", deadline, w.s.Phase)
		}
		w.advance(time.Millisecond)
		if has(w.last, DoAcquire, nil) {
			claim = w.mustHave(DoAcquire, "claim", nil)
		}
	}
	if claim.Over != l.Revision {
		t.Fatalf("claimed over revision %d, want the stale term's %d", claim.Over, l.Revision)
	}
}

func TestRowAReleasedTermOfOursIsNotClaimedBack(t *testing.T) {
	w := lead(t)
	l := w.s.Lease
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: l.Revision, Ours: true, Holder: Holder{Name: "me", Term: l.Term, Revision: l.Revision, Nonce: l.Nonce}}})
	w.feed(Input{Kind: InResign})
	w.answerFirst(WriteOK)
	w.requirePhase(StateFollower)
	if w.s.OursRevision != 0 || w.s.KeyFree {
		t.Fatalf("after a release that succeeded: OursRevision %d, KeyFree %v; want the key no longer ours", w.s.OursRevision, w.s.KeyFree)
	}
	w.mustNotHave(DoArmTimer)
}

func TestRowTheEndOfOurLeasesSessionDemotesAtOnce(t *testing.T) {
	w := lead(t)
	l := w.s.Lease
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: l.Revision}})
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonRenewConflict })
	w.mustNotHave(DoRelease)
	w.requirePhase(StateFollower)
}

// A win that came too late to lead is released; when that release fails
// in session mode, the key keeps our term under our live session, and
// nobody else may take it: we must claim it back, as for a term that ended
// at its deadline. The watch had shown the new key as ours before the win
// was answered, which counted it as free to claim while we led nothing;
// that view must not outlive the win, or no campaign ever comes (found by
// the simulation, sessions seed 2638358: the role was left without a
// leader until the run ended).
func TestRowAWinReleasedTooLateThatFailsIsClaimedBack(t *testing.T) {
	w := newWorld(t, 1)
	w.t.Sessions = true // a term of ours under our session: its key has no TTL of its own
	w.startClean()
	w.advance(w.t.CampaignJitter)
	w.requirePhase(StateCandidate)
	w.now = w.now.Add(w.t.RenewDeadline + time.Millisecond) // paused past the deadline with the create in flight
	rev := w.rev + 1
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: rev, Ours: true, Holder: Holder{Name: "me", Term: rev, Revision: rev, Nonce: "n"}}})
	w.answerFirst(WriteOK)
	w.mustHave(DoRelease, "the release of a win too late to lead", nil)
	w.requirePhase(StateFollower)
	w.answerFirst(WriteFailed)
	for deadline := w.now.Add(w.t.StandBy + w.t.CampaignJitter + time.Second); !has(w.last, DoAcquire, nil); {
		if w.now.After(deadline) {
			w.fail("no claim of our term left under our session by %v; phase %s", deadline, w.s.Phase)
		}
		w.advance(time.Millisecond)
	}
	if claim := w.mustHave(DoAcquire, "claim", nil); claim.Over != rev {
		t.Fatalf("claimed over revision %d, want our term's %d", claim.Over, rev)
	}
}

func TestRowAHeartbeatWithAFreshSessionProofParksOnTheSession(t *testing.T) {
	w := lead(t)
	w.t.Sessions = true
	term := w.s.Lease.Term
	w.now = w.now.Add(w.t.HeartbeatInterval)
	proof := w.now.Add(-w.t.HeartbeatInterval / 3)
	w.proven[term] = proof
	w.feed(Input{Kind: InTick, Timer: TimerHeartbeat, Term: term, SessionProof: proof})
	w.mustNotHave(DoRenew)
	if !w.s.LastRenewal.Equal(proof) || w.s.Renewing || !w.s.Parked {
		t.Fatalf("after a heartbeat with a fresh session proof: last renewal %v, renewing %v, parked %v; want the proof %v, no renewal in flight, parked", w.s.LastRenewal, w.s.Renewing, w.s.Parked, proof)
	}
	w.mustHave(DoParkHeartbeat, "the heartbeat parked on the session, woken a heartbeat before the deadline", func(e Effect) bool {
		return e.Term == term && e.After == w.t.RenewDeadline-w.t.HeartbeatInterval
	})
	w.mustHave(DoCancelTimer, "no deadline timer while parked", func(e Effect) bool { return e.Timer == TimerDeadline })
	if has(w.last, DoArmTimer, nil) {
		t.Fatalf("a parked leader armed a timer: %+v", w.last)
	}

	// Woken when the proof grew old: it renews through the session, with
	// its deadline armed again from the newest proof.
	w.now = proof.Add(w.t.RenewDeadline - w.t.HeartbeatInterval)
	w.feed(Input{Kind: InTick, Timer: TimerHeartbeat, Term: term, SessionProof: proof})
	w.mustHave(DoRenew, "a renewal through the session", nil)
	w.mustHave(DoArmTimer, "the deadline counted from the proof", func(e Effect) bool {
		return e.Timer == TimerDeadline && e.After == proof.Add(w.t.RenewDeadline).Sub(w.now)
	})
	if w.s.Parked {
		t.Fatal("still parked after the wake")
	}
}

func TestRowAParkedLeaderWokenPastItsDeadlineDemotes(t *testing.T) {
	w := lead(t)
	w.t.Sessions = true
	term := w.s.Lease.Term
	w.now = w.now.Add(w.t.HeartbeatInterval)
	proof := w.now.Add(-time.Millisecond)
	w.proven[term] = proof
	w.feed(Input{Kind: InTick, Timer: TimerHeartbeat, Term: term, SessionProof: proof})
	w.requirePhase(StateLeader)
	// A process paused through the wake handles it after the deadline.
	w.resuming = true
	w.now = proof.Add(w.t.RenewDeadline)
	w.feed(Input{Kind: InTick, Timer: TimerHeartbeat, Term: term, SessionProof: proof})
	w.requirePhase(StateFollower)
}

func TestRowEveryInputCarriesTheSessionsProofToTheDeadline(t *testing.T) {
	w := lead(t)
	w.t.Sessions = true
	term := w.s.Lease.Term
	w.now = w.now.Add(w.t.HeartbeatInterval)
	w.feed(Input{Kind: InTick, Timer: TimerHeartbeat, Term: term, SessionProof: w.now})
	// Parked for longer than the deadline counted from the park: a Resign
	// carrying a newer proof still finds the lease proven and hands it on.
	w.now = w.now.Add(w.t.RenewDeadline + time.Second)
	proof := w.now.Add(-time.Second)
	w.proven[term] = proof
	w.feed(Input{Kind: InResign, SessionProof: proof})
	if !w.s.LastRenewal.Equal(proof) {
		t.Fatalf("last renewal %v, want the session's proof %v", w.s.LastRenewal, proof)
	}
	w.mustNotHave(DoAnswerResign)
	// A proof from the candidate's future proves nothing.
	w2 := lead(t)
	w2.t.Sessions = true
	before := w2.s.LastRenewal
	w2.feed(Input{Kind: InHealth, SessionProof: w2.now.Add(time.Second)})
	if !w2.s.LastRenewal.Equal(before) {
		t.Fatalf("a proof from the future moved the last renewal to %v", w2.s.LastRenewal)
	}
}

func TestRowAParkedLeaderOutrankedTakesItsHeartbeatAtOnce(t *testing.T) {
	w := lead(t)
	w.t.Sessions, w.t.PreferredLeader, w.t.Priority = true, true, 1
	term := w.s.Lease.Term
	w.now = w.now.Add(w.t.HeartbeatInterval)
	w.feed(Input{Kind: InTick, Timer: TimerHeartbeat, Term: term, SessionProof: w.now})
	w.feed(Input{Kind: InCandidates, SessionProof: w.now, Candidates: []Ranked{{ID: "boss", Priority: 5}, {ID: "me", Priority: 1}}})
	w.mustHave(DoArmTimer, "the heartbeat at once", func(e Effect) bool { return e.Timer == TimerHeartbeat && e.After == 0 })
	w.mustHave(DoArmTimer, "the deadline again", func(e Effect) bool { return e.Timer == TimerDeadline })
	w.advance(0)
	w.mustHave(DoOffer, "the lease offered to the higher priority", func(e Effect) bool { return e.Successor == "boss" })
}

func TestRowALeaderWhoseReconnectIsRefutedByAFreeKeyCampaigns(t *testing.T) {
	w := lead(t)
	w.t.Sessions = true
	w.feed(Input{Kind: InConnection, Conn: ConnLost})
	w.feed(Input{Kind: InConnection, Conn: ConnBack})
	if !w.s.Proving {
		t.Fatal("not proving the lease after the connection came back")
	}
	// The session that kept the lease ended while we were away.
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: w.rev, Session: "s", SessionEnd: 9}})
	w.requirePhase(StateFollower)
	w.mustHave(DoArmTimer, "a campaign for the free key", func(e Effect) bool { return e.Timer == TimerCampaign })
}
