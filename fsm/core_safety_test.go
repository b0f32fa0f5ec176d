package fsm

import (
	"testing"
	"time"
)

// Scenario tests of the rows that keep a lease safe against the server as it
// behaves: late acknowledgements, terms left under our session, and work that
// must stop before the lease passes.

func TestRowRenewalAnsweredAfterTheDeadlineDemotes(t *testing.T) {
	w := lead(t)
	w.advance(w.t.HeartbeatInterval)
	w.mustHave(DoRenew, "renewal", nil)
	// The answer is handled after the deadline (a paused process): the
	// renewed write may have been applied after the write it replaced
	// expired, and its expiry marker may erase it.
	w.now = w.s.LastRenewal.Add(w.t.RenewDeadline)
	w.answerFirst(WriteOK)
	w.mustHave(DoDemoted, "demotion", func(e Effect) bool { return e.Reason == ReasonRenewDeadline })
	w.mustNotHave(DoRelease)
	w.requirePhase(StateFollower)
}

func TestRowRenewalAnsweredInTimeKeepsLeading(t *testing.T) {
	w := lead(t)
	w.advance(w.t.HeartbeatInterval)
	sentAt := w.pending[0].sentAt
	w.now = w.s.LastRenewal.Add(w.t.RenewDeadline - time.Millisecond)
	w.answerFirst(WriteOK)
	w.requirePhase(StateLeader)
	if !w.s.LastRenewal.Equal(sentAt) {
		t.Fatalf("deadline counts from %v, want the renewal's send %v", w.s.LastRenewal, sentAt)
	}
}

func TestRowErasedClaimIsRefusedByItsConfirmation(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.rev = 10
	offer := Holder{Name: "other", Term: 5, Revision: w.rev, Nonce: "x", OfferedTo: "me"}
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: offer, Expiring: true, Written: w.now}})
	w.mustHave(DoAcquire, "claim", nil)
	w.answerFirst(WriteOK)
	w.mustHave(DoConfirm, "read-back", nil)
	// The offer's expiry marker erased the claim: the read-back finds the
	// key no longer at the claim.
	w.answerFirst(WriteConflict)
	w.requirePhase(StateFollower)
	if w.promoted != 0 {
		t.Fatal("promoted on an erased claim")
	}
}

func TestRowConfirmationAnsweredTooLateIsLeftToExpire(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.rev = 10
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: Holder{Name: "other", Term: 5, Revision: w.rev, Nonce: "x", OfferedTo: "me"}, Expiring: true, Written: w.now}})
	w.answerFirst(WriteOK)
	w.mustHave(DoConfirm, "read-back", nil)
	w.now = w.now.Add(w.t.RenewDeadline)
	w.answerFirst(WriteOK)
	w.mustNotHave(DoPromoted)
	// Past the claim's deadline its key, which has a TTL of its own, is not
	// written again: an expiry marker may be on its way.
	w.mustNotHave(DoRelease)
	if w.s.Lease.Term != 0 {
		t.Fatalf("lease %+v after a claim found too late: want it forgotten", w.s.Lease)
	}
}

func TestRowConfirmationAnsweredTooLateIsReleasedUnderASession(t *testing.T) {
	w := newWorld(t, 1)
	w.t.Sessions = true
	w.startClean()
	w.rev = 10
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: Holder{Name: "other", Term: 5, Revision: w.rev, Nonce: "x", OfferedTo: "me"}, Expiring: true, Written: w.now}})
	w.answerFirst(WriteOK)
	c := w.mustHave(DoConfirm, "read-back", nil)
	w.now = w.now.Add(w.t.RenewDeadline)
	w.answerFirst(WriteOK)
	w.mustNotHave(DoPromoted)
	w.mustHave(DoRelease, "release of the proven claim found too late", func(e Effect) bool { return e.Lease.Term == c.Lease.Term })
}

// leftUnderOurSession leads, turns unhealthy with the release failing, and
// then sees the key still holding that term under our own session.
func leftUnderOurSession(t *testing.T) (*world, Lease) {
	t.Helper()
	w := lead(t)
	l := w.s.Lease
	w.feed(Input{Kind: InHealth, Failures: w.t.HealthFailureThreshold, Err: "link down"})
	w.mustHave(DoRelease, "release on demotion", nil)
	w.answerFirst(WriteFailed)
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: l.Revision, Ours: true, Holder: Holder{Name: "me", Term: l.Term, Revision: l.Revision, Nonce: l.Nonce}}})
	return w, l
}

func TestRowUnhealthyFollowerReleasesATermOfOursLeftBehind(t *testing.T) {
	w, l := leftUnderOurSession(t)
	r := w.mustHave(DoRelease, "release of the term left behind", func(e Effect) bool { return e.Left })
	if r.Lease.Term != l.Term || r.Lease.Revision != l.Revision || r.Lease.Nonce != l.Nonce {
		t.Fatalf("released %+v, want the term left behind %+v", r.Lease, l)
	}
	w.answerFirst(WriteFailed)
	w.mustHave(DoArmTimer, "retry", func(e Effect) bool { return e.Timer == TimerRetryRelease && e.After == w.t.PollInterval })
	w.advance(w.t.PollInterval)
	w.mustHave(DoRelease, "release tried again", func(e Effect) bool { return e.Left })
	w.answerFirst(WriteOK)
	if w.s.OursRevision != 0 || w.s.Lease.Term != 0 {
		t.Fatalf("after the release: OursRevision %d, lease %+v; want nothing of ours left", w.s.OursRevision, w.s.Lease)
	}
	w.requirePhase(StateFollower)
}

func TestRowHealthyFollowerClaimsATermOfOursLeftBehind(t *testing.T) {
	w, _ := leftUnderOurSession(t)
	w.answerFirst(WriteFailed) // the release of the left term fails once
	w.feed(Input{Kind: InHealth})
	w.advance(w.t.CampaignJitter + w.t.StandBy)
	if has(w.last, DoRelease, nil) {
		t.Fatal("released a term of ours while it may lead it")
	}
}

// leadAwaitingWork leads with Timing.AwaitWorkStopped set.
func leadAwaitingWork(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, 1)
	w.t.AwaitWorkStopped = true
	w.startClean()
	w.advance(w.t.CampaignJitter + 10*time.Millisecond)
	w.answerFirst(WriteOK)
	w.requirePhase(StateLeader)
	return w
}

func TestRowResignReleasesOnlyAfterTheWorkStopped(t *testing.T) {
	w := leadAwaitingWork(t)
	term := w.s.Lease.Term
	w.feed(Input{Kind: InResign})
	w.mustHave(DoDemoted, "demotion", nil)
	w.mustNotHave(DoRelease)
	w.advance(w.t.TTL / 2)
	if len(w.pending) != 0 {
		t.Fatalf("wrote %+v before the work stopped", w.pending)
	}
	w.reportWorkStopped(term)
	w.mustHave(DoRelease, "release once the work stopped", nil)
	w.answerFirst(WriteOK)
	w.mustHave(DoAnswerResign, "resign answered", func(e Effect) bool { return e.Err == "" })
}

func TestRowHandOffOffersOnlyAfterTheWorkStopped(t *testing.T) {
	w := leadAwaitingWork(t)
	term := w.s.Lease.Term
	w.candidates("me other", false)
	w.feed(Input{Kind: InResign})
	w.mustNotHave(DoOffer)
	w.reportWorkStopped(term)
	w.mustHave(DoOffer, "offer once the work stopped", func(e Effect) bool { return e.Successor == "other" })
}

func TestRowStopWaitsForTheWorkThenForTheRelease(t *testing.T) {
	w := leadAwaitingWork(t)
	term := w.s.Lease.Term
	w.feed(Input{Kind: InStop})
	w.mustNotHave(DoRelease)
	w.advance(w.t.OpTimeout * 2)
	w.requirePhase(StateStopping)
	w.reportWorkStopped(term)
	w.mustHave(DoRelease, "release once the work stopped", nil)
	w.mustHave(DoArmTimer, "stop bound", func(e Effect) bool { return e.Timer == TimerStop })
	w.answerFirst(WriteOK)
	w.mustHave(DoFinish, "finished", nil)
}

func TestRowWorkThatNeverStopsLeavesTheLeaseToExpire(t *testing.T) {
	w := leadAwaitingWork(t)
	w.feed(Input{Kind: InResign})
	w.advance(w.t.TTL)
	w.mustHave(DoAnswerResign, "resign answered with the failure", func(e Effect) bool { return e.Err != "" })
	if w.s.Lease.Term != 0 || len(w.pending) != 0 {
		t.Fatalf("lease %+v, writes %+v: want the lease forgotten, not released", w.s.Lease, w.pending)
	}
}

// reportWorkStopped reports, as the parent does, that term's work stopped.
func (w *world) reportWorkStopped(term uint64) {
	w.stopped[term] = true
	w.feed(Input{Kind: InWorkStopped, Term: term})
}

func TestRowStopWhoseReleaseFailsHandsTheTermToTheStore(t *testing.T) {
	w := lead(t)
	l := w.s.Lease
	w.feed(Input{Kind: InStop})
	w.mustHave(DoRelease, "release on stop", nil)
	w.answerFirst(WriteUnknown)
	f := w.mustHave(DoFinish, "finished", nil)
	if f.Lease.Term != l.Term || f.Lease.Revision != l.Revision {
		t.Fatalf("finished handing over %+v, want the unreleased term %+v", f.Lease, l)
	}
}

func TestRowStopWhoseReleaseSucceedsHandsNothing(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InStop})
	w.answerFirst(WriteOK)
	if f := w.mustHave(DoFinish, "finished", nil); f.Lease.Term != 0 {
		t.Fatalf("finished handing over %+v after a release that succeeded", f.Lease)
	}
}

func TestRowTakeoverOfAnOfferWhoseSessionEndedIsConfirmed(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.rev = 10
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: w.rev, Expiring: true, Written: w.now}})
	w.advance(w.t.CampaignJitter)
	if a := w.mustHave(DoAcquire, "takeover over the offer", nil); a.Over != w.rev {
		t.Fatalf("acquired over %d, want the offer's %d", a.Over, w.rev)
	}
	w.answerFirst(WriteOK)
	w.mustNotHave(DoPromoted)
	w.mustHave(DoConfirm, "read-back of a win over a message that can expire", nil)
}

// claimOfferStoredAgo claims an offer to us that the server stored ago
// before its watch event came, and answers the claim and its read-back as
// found.
func claimOfferStoredAgo(t *testing.T, ago time.Duration) *world {
	t.Helper()
	w := newWorld(t, 1)
	w.startClean()
	w.rev = 10
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Expiring: true, Written: w.now.Add(-ago),
		Holder: Holder{Name: "other", Term: 5, Revision: w.rev, Nonce: "x", OfferedTo: "me"}}})
	w.advance(5 * time.Millisecond)
	w.answerFirst(WriteOK)
	w.mustHave(DoConfirm, "read-back", nil)
	w.answerFirst(WriteOK)
	return w
}

func TestRowClaimStampedAsTheOfferCouldExpireIsNotProof(t *testing.T) {
	// The offer was stored 900ms ago (its watch event came late): a claim
	// applied now may follow the offer's expiry, whatever the read-back
	// shows at this instant.
	w := claimOfferStoredAgo(t, 900*time.Millisecond)
	w.mustNotHave(DoPromoted)
	// Left alone: a release of it, and a successor's create over that
	// release, would be erased with it if the offer's marker is on its way.
	w.mustNotHave(DoRelease)
	w.requirePhase(StateFollower)
}

func TestRowClaimStampedWellBeforeTheOfferExpiresLeads(t *testing.T) {
	w := claimOfferStoredAgo(t, 300*time.Millisecond)
	w.mustHave(DoPromoted, "promotion", nil)
}

func TestRowReleaseAfterTheWorkStoppedWithinItsBudget(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stopped time.Duration // after the deadline
		release bool
	}{
		{"within the budget", 2 * time.Second, true},
		{"beyond the budget", 4 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := leadAwaitingWork(t)
			w.t.WorkStopBudget = 3 * time.Second
			term := w.s.Lease.Term
			w.feed(Input{Kind: InResign})
			w.now = w.s.LastRenewal.Add(w.t.RenewDeadline + tc.stopped)
			w.reportWorkStopped(term)
			if got := has(w.last, DoRelease, nil); got != tc.release {
				t.Fatalf("release written: %v, want %v (the work stopped %v after the deadline, budget %v)", got, tc.release, tc.stopped, w.t.WorkStopBudget)
			}
		})
	}
}

// TestRowASessionLeaseIsReleasedWhenTheWorkNeverReports: with sessions a
// lease has no TTL of its own and lives as long as our session, which the
// process's other elections keep alive; when the work never reports
// stopped, the stop must still release it, or the role is held by nobody
// who leads. (With a TTL of its own the lease has expired by then, and is
// only forgotten.)
func TestRowASessionLeaseIsReleasedWhenTheWorkNeverReports(t *testing.T) {
	w := newWorld(t, 1)
	w.t.AwaitWorkStopped, w.t.Sessions = true, true
	w.startClean()
	w.advance(w.t.CampaignJitter + 10*time.Millisecond)
	w.answerFirst(WriteOK)
	w.requirePhase(StateLeader)
	term := w.s.Lease.Term
	w.feed(Input{Kind: InStop})
	w.mustHave(DoDemoted, "demotion", nil)
	w.mustNotHave(DoRelease)
	w.advance(w.t.TTL)
	if len(w.pending) != 1 || w.pending[0].kind != DoRelease || w.pending[0].lease.Term != term {
		t.Fatalf("pending after the wait for the work ran out: %+v; want the release of term %d", w.pending, term)
	}
	w.answerFirst(WriteOK)
	w.mustHave(DoFinish, "the stop finished", nil)
}

// demotedAwaitingWork leads with Timing.AwaitWorkStopped, turns unhealthy
// (a term that ends with a release, which waits for the work) and healthy
// again, and returns the ended term.
func demotedAwaitingWork(t *testing.T) (*world, uint64) {
	t.Helper()
	w := leadAwaitingWork(t)
	term := w.s.Lease.Term
	w.feed(Input{Kind: InHealth, Failures: w.t.HealthFailureThreshold, Err: "unhealthy"})
	w.mustHave(DoDemoted, "demotion", nil)
	w.feed(Input{Kind: InHealth, Failures: 0})
	return w, term
}

// TestRowAFollowerWhoseWorkNeverReportedCampaignsForAFreeKey: a term that
// ended with a release waits for its work; when the work never reports and
// the lease, past its deadline, is only forgotten, a follower that saw the
// key freed meanwhile campaigns again, as the release's answer would have
// made it (the simulation found the role left without a leader).
func TestRowAFollowerWhoseWorkNeverReportedCampaignsForAFreeKey(t *testing.T) {
	w, term := demotedAwaitingWork(t)
	w.rev++
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: w.rev}})
	w.requirePhase(StateFollower)
	w.advance(w.t.TTL)
	if w.s.Lease.Term == term || w.s.AwaitingWork {
		t.Fatalf("still holding term %d after the wait for its work ran out: %+v", term, w.s)
	}
	w.advance(w.t.CampaignJitter + w.t.StandBy + w.t.PollInterval)
	if len(w.acquired) == 0 || w.acquired[len(w.acquired)-1].Seq <= 1 {
		t.Fatalf("no campaign after the lease was given up while the key was free: acquisitions %+v", w.acquired)
	}
}

// TestRowAClaimWonWhileUnhealthyIsConfirmedBeforeItIsReleased: a claim over
// an offer may be erased by the offer's expiry marker after it was
// acknowledged, and a release written over it would be erased with it,
// leaving a delete marker that a successor writes over and loses too. So a
// won claim is read back first, even when the candidate may not lead (the
// simulation found a successor promoted on such a chain, seed 537374).
func TestRowAClaimWonWhileUnhealthyIsConfirmedBeforeItIsReleased(t *testing.T) {
	w := newWorld(t, 1)
	w.startClean()
	w.rev++
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Expiring: true, Written: w.now,
		Holder: Holder{Name: "other", Term: w.rev, Revision: w.rev, Nonce: "x", OfferedTo: w.t.InstanceID}}})
	w.mustHave(DoAcquire, "the claim", func(e Effect) bool { return e.By == ByWriteOver && e.Over == w.rev })
	w.feed(Input{Kind: InHealth, Failures: w.t.HealthFailureThreshold, Err: "unhealthy"})
	w.answerFirst(WriteOK)
	w.mustHave(DoConfirm, "the claim read back before anything is written over it", nil)
	w.mustNotHave(DoRelease)
}

// TestRowAFollowerWhoseWorkStoppedAfterTheDeadlineCampaignsForAFreeKey: the
// work reports stopped only after the lease's deadline, so the release is
// not sent (the lease is only forgotten); a follower that saw the key
// freed meanwhile campaigns again (the simulation, seed 569199).
func TestRowAFollowerWhoseWorkStoppedAfterTheDeadlineCampaignsForAFreeKey(t *testing.T) {
	w, term := demotedAwaitingWork(t)
	w.now = w.now.Add(w.t.RenewDeadline)
	w.rev++
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: w.rev}})
	// The campaign timer fires while the term's work still runs: no
	// campaign then.
	w.advance(w.t.CampaignJitter + w.t.StandBy)
	if len(w.acquired) != 1 {
		t.Fatalf("campaigned while the work of term %d still ran: %+v", term, w.acquired)
	}
	w.reportWorkStopped(term)
	w.mustNotHave(DoRelease)
	w.advance(w.t.CampaignJitter + w.t.StandBy + w.t.PollInterval)
	if len(w.acquired) < 2 {
		t.Fatalf("no campaign after the lease was forgotten while the key was free: acquisitions %+v", w.acquired)
	}
}

func TestRowAnUnprovenClaimOfOursIsLeftUntilTheOffersMarkerCanNoLongerCome(t *testing.T) {
	w := newWorld(t, 1)
	w.t.Sessions = true
	w.startClean()
	w.rev = 10
	// The offer was stored almost its TTL ago: a claim applied now may be
	// erased by the offer's expiry marker.
	offer := Holder{Name: "other", Term: 5, Revision: w.rev, Nonce: "x", OfferedTo: "me"}
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: offer, Expiring: true, Written: w.now.Add(-w.t.OfferTTL + 10*time.Millisecond)}})
	settle := w.mustHave(DoArmTimer, "the timer for when the offer's marker can no longer come", func(e Effect) bool { return e.Timer == TimerClaimSettled })
	settlesAt := w.now.Add(settle.After)
	w.answerFirst(WriteOK)
	c := w.mustHave(DoConfirm, "read-back", nil)
	w.answerFirst(WriteOK)
	w.mustNotHave(DoPromoted)
	// The watch shows the claim: a term of ours under our own session that
	// we lead not. Written over now, or released, it would be erased with
	// the claim by the marker, and a successor's write over it too.
	acquired := len(w.acquired)
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: c.Lease.Revision, Ours: true, Holder: Holder{Name: "me", Term: c.Lease.Term, Revision: c.Lease.Revision, Nonce: c.Lease.Nonce}}})
	w.mustNotHave(DoRelease)
	w.advance(settlesAt.Sub(w.now) - time.Millisecond)
	if len(w.acquired) != acquired {
		t.Fatalf("wrote over the unproven claim %v before its offer's marker could no longer come: %+v", settlesAt.Sub(w.now), w.acquired[acquired:])
	}
	w.advance(w.t.CampaignJitter + 2*time.Millisecond)
	if len(w.acquired) == acquired || w.acquired[acquired].Over != c.Lease.Revision {
		t.Fatalf("acquisitions after the marker's time %+v: want one over the claim's revision %d", w.acquired[acquired:], c.Lease.Revision)
	}
}

func TestRowACandidateWhoseReleaseOfATermLeftFailedClaimsItBackOnceHealthy(t *testing.T) {
	w := newWorld(t, 1)
	w.t.Sessions = true
	w.startClean()
	w.advance(w.t.CampaignJitter + w.t.StandBy)
	a := w.mustHave(DoAcquire, "acquisition", nil)
	// The create landed, but its answer is lost; the watch shows it while
	// the health check fails.
	w.rev++
	ours := Holder{Name: "me", Term: w.rev, Revision: w.rev, Nonce: "n"}
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Ours: true, Holder: ours}})
	w.feed(Input{Kind: InHealth, Failures: w.t.HealthFailureThreshold, Err: "link down"})
	w.answerFirst(WriteUnknown)
	w.requirePhase(StateCandidate)
	w.mustHave(DoRelease, "release of the term left, while we may not lead", func(e Effect) bool { return e.Left })
	w.answerFirst(WriteUnknown)
	w.feed(Input{Kind: InHealth})
	w.advance(w.t.PollInterval + w.t.CampaignJitter + w.t.StandBy)
	for _, e := range w.acquired {
		if e.Seq != a.Seq && e.Over == ours.Revision {
			return
		}
	}
	t.Fatalf("acquisitions %+v: want the healthy candidate to claim its term left at revision %d", w.acquired, ours.Revision)
}
