package fsm

import "testing"

// Scenario tests of reading back a refused release.

// readBack answers the pending read with the key holding holder at
// revision (a free key when holder is zero), as the stream leader shows it.
func (w *world) readBack(revision uint64, holder Holder) {
	w.tb.Helper()
	if len(w.pending) == 0 || w.pending[0].kind != DoRead {
		w.fail("no read pending: %+v", w.pending)
	}
	req := w.pending[0]
	w.pending = w.pending[1:]
	k := KeyView{Revision: revision, Holder: holder, Free: holder == Holder{}}
	w.feed(Input{Kind: InRead, Seq: req.seq, Result: WriteOK, Key: k})
}

func TestRowRefusedReleaseOfOurLeaseMovedOnIsReleasedAtTheRevisionRead(t *testing.T) {
	w := lead(t)
	term, rev := w.s.Lease.Term, w.s.Lease.Revision
	w.feed(Input{Kind: InStop})
	w.mustHave(DoRelease, "release", func(e Effect) bool { return e.Lease.Revision == rev })
	w.answerFirst(WriteConflict)
	w.mustHave(DoRead, "a read-back of the refused release", nil)
	w.mustNotHave(DoFinish)
	// A renewal whose answer was lost had applied: the key holds our lease
	// one revision on.
	w.rev++
	w.newest[term] = w.rev
	w.readBack(w.rev, Holder{Name: w.t.InstanceID, Term: term, Revision: w.rev, Nonce: "n"})
	w.mustHave(DoRelease, "a release at the revision read", func(e Effect) bool { return e.Lease.Revision == w.rev })
	// Refused again: a term is read back once, and the stop settles.
	w.answerFirst(WriteConflict)
	w.mustNotHave(DoRead)
	w.mustHave(DoFinish, "the stop finished", nil)
}

func TestRowRefusedReleaseOfAKeyHeldByAnotherIsSettled(t *testing.T) {
	w := lead(t)
	w.feed(Input{Kind: InResign})
	w.mustHave(DoRelease, "release", nil)
	w.answerFirst(WriteConflict)
	w.mustHave(DoRead, "a read-back of the refused release", nil)
	w.rev++
	w.readBack(w.rev, Holder{Name: "other", Term: w.rev, Revision: w.rev, Nonce: "x"})
	w.mustNotHave(DoRelease)
	w.mustHave(DoAnswerResign, "the resign answered as done: nothing of ours is left", func(e Effect) bool { return e.Err == "" })
	if w.s.Releasing || w.s.ReadBack != 0 {
		t.Fatalf("release still in flight after the read-back: %+v", w.s)
	}
}

func TestRowReadBackAfterTheDeadlineDoesNotReleaseAgain(t *testing.T) {
	w := lead(t)
	term := w.s.Lease.Term
	w.feed(Input{Kind: InResign})
	w.answerFirst(WriteConflict)
	w.mustHave(DoRead, "a read-back of the refused release", nil)
	// The read answers after the lease's deadline: a release sent now could
	// land inside an expiry marker's lag and erase a successor's write.
	w.now = w.s.LastRenewal.Add(w.t.RenewDeadline + w.t.WorkStopBudget)
	w.rev++
	w.newest[term] = w.rev
	w.readBack(w.rev, Holder{Name: w.t.InstanceID, Term: term, Revision: w.rev, Nonce: "n"})
	w.mustNotHave(DoRelease)
	w.mustHave(DoAnswerResign, "the resign answered with why the lease was left", func(e Effect) bool { return e.Err != "" })
}
