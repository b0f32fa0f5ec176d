package fsm

import "testing"

// Scenario tests of the acquisition rows: which write an acquisition makes,
// and the read-back that follows a refused write over a revision.

// campaignOn shows the key as k to a started election and lets its
// campaign timer fire; it returns the acquisition sent.
func (w *world) campaignOn(k KeyView) Effect {
	w.tb.Helper()
	w.feed(Input{Kind: InStart})
	w.feed(Input{Kind: InStoreOpened})
	w.feed(Input{Kind: InKey, Key: k})
	w.advance(w.t.CampaignJitter + w.t.PollInterval)
	return w.lastAcquisition()
}

// lastAcquisition is the newest DoAcquire the core sent.
func (w *world) lastAcquisition() Effect {
	w.tb.Helper()
	if len(w.acquired) == 0 {
		w.fail("no acquisition sent")
	}
	return w.acquired[len(w.acquired)-1]
}

// refusedOverMarker campaigns over a marker at rev, has the write refused
// and returns the read-back it asks for, taken off the pending effects.
func (w *world) refusedOverMarker(rev uint64) Effect {
	w.tb.Helper()
	w.campaignOn(KeyView{Free: true, Revision: rev})
	w.answerFirst(WriteConflict)
	read := w.mustHave(DoRead, "a read-back of the refused write", nil)
	w.pending = w.pending[1:]
	return read
}

func TestRowAcquisitionWriteFollowsWhatTheKeyHeld(t *testing.T) {
	cases := []struct {
		name string
		key  KeyView
		want Effect
	}{
		{"no message", KeyView{Free: true}, Effect{By: ByCreate}},
		{"a marker", KeyView{Free: true, Revision: 7}, Effect{By: ByWriteOver, Over: 7}},
		{"a lease whose session ended", KeyView{Free: true, Revision: 7, Session: "s1", SessionEnd: 5, Holder: Holder{Name: "other", Term: 3, Revision: 7}},
			Effect{By: ByTakeOver, Over: 7, Session: "s1", SessionEnd: 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, 1)
			got := w.campaignOn(c.key)
			if got.By != c.want.By || got.Over != c.want.Over || got.Session != c.want.Session || got.SessionEnd != c.want.SessionEnd {
				t.Fatalf("acquisition %v over %d (session %q ended at %d); want %v over %d (session %q ended at %d)",
					got.By, got.Over, got.Session, got.SessionEnd, c.want.By, c.want.Over, c.want.Session, c.want.SessionEnd)
			}
		})
	}
}

func TestRowRefusedWriteOverAnExpiredMarkerIsReadBackThenCreates(t *testing.T) {
	w := newWorld(t, 1)
	w.campaignOn(KeyView{Free: true, Revision: 7})
	w.answerFirst(WriteConflict)
	w.requirePhase(StateFollower)
	read := w.mustHave(DoRead, "a read-back of the refused write", nil)
	// The marker expired: the stream leader has no message of the key.
	w.pending = w.pending[1:]
	w.feed(Input{Kind: InRead, Seq: read.Seq, Result: WriteOK, Key: KeyView{Free: true}})
	w.advance(w.t.CampaignJitter + w.t.PollInterval)
	if got := w.lastAcquisition(); got.By != ByCreate || got.Over != 0 {
		t.Fatalf("after the read found no message: acquisition %v over %d, want a create", got.By, got.Over)
	}
}

func TestRowRefusedTakeOverIsReadBackAndTriedAtTheNewEnd(t *testing.T) {
	w := newWorld(t, 1)
	held := Holder{Name: "other", Term: 3, Revision: 7}
	w.campaignOn(KeyView{Free: true, Revision: 7, Session: "s1", SessionEnd: 5, Holder: held})
	w.answerFirst(WriteConflict)
	read := w.mustHave(DoRead, "a read-back of the refused takeover", nil)
	// The session's marker expired: its key has no message left.
	w.pending = w.pending[1:]
	w.feed(Input{Kind: InRead, Seq: read.Seq, Result: WriteOK, Key: KeyView{Free: true, Revision: 7, Session: "s1", SessionEnd: 0, Holder: held}})
	w.advance(w.t.CampaignJitter + w.t.PollInterval)
	if got := w.lastAcquisition(); got.By != ByTakeOver || got.Over != 7 || got.SessionEnd != 0 {
		t.Fatalf("after the read: acquisition %v over %d ending %d, want a takeover at 7 expecting no message", got.By, got.Over, got.SessionEnd)
	}
}

func TestRowAReadBackRepeatingTheRefusedRevisionWaitsForThePoll(t *testing.T) {
	w := newWorld(t, 1)
	read := w.refusedOverMarker(7)
	// A lagging server answers the read with the marker the refused write
	// expected: no news, so no second write at once.
	sent := len(w.acquired)
	w.feed(Input{Kind: InRead, Seq: read.Seq, Result: WriteOK, Key: KeyView{Free: true, Revision: 7}})
	w.advance(w.t.CampaignJitter)
	if len(w.acquired) != sent {
		t.Fatalf("a read-back repeating the refused revision started %d acquisitions at once, want none before the poll", len(w.acquired)-sent)
	}
	w.advance(w.t.PollInterval)
	if len(w.acquired) != sent+1 {
		t.Fatalf("after the poll: %d acquisitions, want the retry", len(w.acquired)-sent)
	}
}

func TestRowAReadOlderThanTheWatchIsIgnored(t *testing.T) {
	w := newWorld(t, 1)
	read := w.refusedOverMarker(7)
	// The watch shows the winner before the read answers that nothing is
	// there: the read is older, and must not start a campaign.
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: 9, Holder: Holder{Name: "other", Term: 9, Revision: 9}}})
	w.feed(Input{Kind: InRead, Seq: read.Seq, Result: WriteOK, Key: KeyView{Free: true}})
	if w.s.KeyFree {
		t.Fatalf("a read older than the watch made the key free: %+v", w.s)
	}
}

func TestRowALostCreateIsNotReadBack(t *testing.T) {
	w := newWorld(t, 1)
	w.campaignOn(KeyView{Free: true})
	w.answerFirst(WriteConflict)
	w.mustNotHave(DoRead)
}
