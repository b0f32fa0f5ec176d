package fsm

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Scenario tests of succession: the order, the handover and its claim.

// candidates tells the world's core the order of succession: the names of
// order, the first other than us of a higher priority than ours when
// outranked is set.
func (w *world) candidates(order string, outranked bool) {
	w.feed(Input{Kind: InCandidates, Candidates: ranked(order, outranked, w.t)})
}

// ranked is the registry's list of the space-separated names of order, all
// of our priority but the first other than us, which is higher when
// outranked is set.
func ranked(order string, outranked bool, t Timing) []Ranked {
	var list []Ranked
	first := true
	for _, id := range strings.Fields(order) {
		r := Ranked{ID: id, Priority: t.Priority}
		if id != t.InstanceID && first {
			first = false
			if outranked {
				r.Priority++
			}
		}
		list = append(list, r)
	}
	return list
}

func TestRowResignOffersTheLeaseToTheNextInOrderAfterDemoted(t *testing.T) {
	w := lead(t)
	w.candidates("me other third", false)
	w.feed(Input{Kind: InResign})
	w.requirePhase(StateFollower)
	demoted := slices.IndexFunc(w.last, func(e Effect) bool { return e.Kind == DoDemoted })
	offer := slices.IndexFunc(w.last, func(e Effect) bool { return e.Kind == DoOffer })
	if demoted < 0 || offer < 0 || demoted > offer {
		t.Fatalf("want Demoted before the offer, got %+v", w.last)
	}
	if e := w.last[offer]; e.Successor != "other" || e.Lease.Revision != w.rev {
		t.Fatalf("offer %+v, want to other at revision %d", e, w.rev)
	}
	w.mustNotHave(DoRelease)
	w.answerFirst(WriteOK)
	w.mustHave(DoAnswerResign, "resign answered once the offer is written", func(e Effect) bool { return e.Err == "" })
	if w.s.Lease.Term != 0 || w.s.OfferTo != "" {
		t.Fatalf("after the offer the lease is still ours: %+v", w.s)
	}
}

func TestRowHandOffToANamedSuccessor(t *testing.T) {
	w := lead(t)
	w.candidates("other me third", false)
	w.feed(Input{Kind: InResign, Successor: "third", SuccessorLive: true})
	w.mustHave(DoOffer, "offer to the named successor, not the first in order", func(e Effect) bool { return e.Successor == "third" })
	w.mustHave(DoMoved, "hand_off", func(e Effect) bool { return e.Event == EvHandOff })
}

func TestRowHandOffToACandidateNotLiveIsRefused(t *testing.T) {
	w := lead(t)
	for _, in := range []Input{
		{Kind: InResign, Successor: "gone"},
		{Kind: InResign, Successor: "me", SuccessorLive: true},
	} {
		w.feed(in)
		w.requirePhase(StateLeader)
		w.mustHave(DoAnswerResign, "refusal", func(e Effect) bool { return e.Err == ResignNoSuccessor })
		w.mustNotHave(DoDemoted)
	}
}

func TestRowResignWithNoSuccessorReleases(t *testing.T) {
	w := lead(t)
	w.candidates("me", false)
	w.feed(Input{Kind: InResign})
	w.mustHave(DoRelease, "plain release", nil)
	w.mustNotHave(DoOffer)
}

func TestRowOfferWaitsForTheRenewalInFlight(t *testing.T) {
	w := lead(t)
	w.candidates("me other", false)
	w.advance(w.t.HeartbeatInterval)
	w.mustHave(DoRenew, "heartbeat renewal", nil)
	w.feed(Input{Kind: InResign})
	w.mustNotHave(DoOffer)
	w.answerFirst(WriteOK)
	if e := w.mustHave(DoOffer, "offer after the renewal", nil); e.Lease.Revision != w.rev {
		t.Fatalf("offered at revision %d, the renewal left %d", e.Lease.Revision, w.rev)
	}
}

func TestRowFailedOfferFallsBackToARelease(t *testing.T) {
	w := lead(t)
	w.candidates("me other", false)
	w.feed(Input{Kind: InResign})
	w.answerFirst(WriteFailed)
	w.mustHave(DoRelease, "release instead", nil)
	w.answerFirst(WriteOK)
	w.mustHave(DoAnswerResign, "answered", func(e Effect) bool { return e.Err == "" })
}

func TestRowClaimOfAnOfferIsARevisionCheckedAcquisition(t *testing.T) {
	w := newWorld(t, 1)
	w.feed(Input{Kind: InStart})
	w.feed(Input{Kind: InStoreOpened})
	w.rev = 40
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: 40, Holder: Holder{Name: "other", Term: 30, Revision: 40, Nonce: "x"}}})
	w.rev++
	offer := Holder{Name: "other", Term: 30, Revision: w.rev, Nonce: "x", OfferedTo: "third"}
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: offer}})
	w.mustNotHave(DoAcquire) // offered to someone else: no herd
	w.requirePhase(StateFollower)
	w.rev++
	offer.Revision, offer.OfferedTo = w.rev, "me"
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: w.rev, Holder: offer, Expiring: true, Written: w.now}})
	w.requirePhase(StateCandidate)
	if e := w.mustHave(DoAcquire, "claim", nil); e.Over != w.rev {
		t.Fatalf("claim over revision %d, want the offer's %d", e.Over, w.rev)
	}
	sentAt := w.pending[0].sentAt
	w.advance(200 * time.Millisecond)
	w.answerFirst(WriteOK)
	w.mustNotHave(DoPromoted) // the claim alone proves nothing: the offer's marker may erase it
	c := w.mustHave(DoConfirm, "read-back of the claim", nil)
	w.advance(time.Millisecond)
	w.answerFirst(WriteOK)
	p := w.mustHave(DoPromoted, "promotion once the claim was read back in time", nil)
	if p.Lease.Term != c.Lease.Term {
		t.Fatalf("promoted to term %d, want the claim's %d", p.Lease.Term, c.Lease.Term)
	}
	if p.Lease.Term <= 30 {
		t.Fatalf("claimed term %d, want more than the offer's term 30", p.Lease.Term)
	}
	d := w.mustHave(DoArmTimer, "deadline", func(e Effect) bool { return e.Timer == TimerDeadline })
	if want := sentAt.Add(w.t.RenewDeadline).Sub(w.now); d.After != want {
		t.Fatalf("deadline armed %v from now, want %v (from the claim's send time)", d.After, want)
	}
}

func TestRowFreedLeaseGoesToTheFirstInOrderAtOnce(t *testing.T) {
	for _, tc := range []struct {
		order     string
		departed  string
		immediate bool
	}{
		{"me other", "other", true},  // the holder that left is skipped
		{"other me", "third", false}, // another comes first: stand by
		{"me other", "third", true},  // first
		{"third me", "third", true},  // the holder that left was first
		{"other third", "x", false},  // not in the order at all
		{"", "x", false},             // no order: jitter only
	} {
		w := newWorld(t, 7)
		w.feed(Input{Kind: InStart})
		w.feed(Input{Kind: InStoreOpened})
		w.candidates(tc.order, false)
		w.rev = 10
		w.feed(Input{Kind: InKey, Key: KeyView{Revision: 10, Holder: Holder{Name: tc.departed, Term: 10, Revision: 10, Nonce: "x"}}})
		w.rev = 11
		w.feed(Input{Kind: InKey, Key: KeyView{Free: true, Revision: 11}})
		e := w.mustHave(DoArmTimer, "campaign timer", func(e Effect) bool { return e.Timer == TimerCampaign })
		switch {
		case tc.immediate && e.After != 0:
			t.Errorf("order %q, %s left: campaign in %v, want at once", tc.order, tc.departed, e.After)
		case !tc.immediate && tc.order != "" && e.After < w.t.StandBy:
			t.Errorf("order %q, %s left: campaign in %v, want after the stand-by %v", tc.order, tc.departed, e.After, w.t.StandBy)
		case tc.order == "" && e.After > w.t.CampaignJitter:
			t.Errorf("no order: campaign in %v, want within the jitter", e.After)
		}
		w.advance(e.After)
		if a := w.mustHave(DoAcquire, "acquire over the marker", nil); a.Over != 11 {
			t.Errorf("acquired over revision %d, want the marker's 11", a.Over)
		}
	}
}

func TestRowPreferredLeaderHandsOffAtTheHeartbeat(t *testing.T) {
	w := lead(t)
	w.t.PreferredLeader = true
	w.candidates("boss me", true)
	w.requirePhase(StateLeader) // not at once: at the next heartbeat
	w.advance(w.t.HeartbeatInterval)
	w.requirePhase(StateFollower)
	w.mustHave(DoDemoted, "demoted as outranked", func(e Effect) bool { return e.Reason == ReasonOutranked })
	w.mustHave(DoOffer, "offer to the preferred candidate", func(e Effect) bool { return e.Successor == "boss" })

	w = lead(t)
	w.t.PreferredLeader = false
	w.candidates("boss me", true)
	w.advance(w.t.HeartbeatInterval)
	w.requirePhase(StateLeader) // not opted in
	w.mustHave(DoRenew, "renewal", nil)
}
