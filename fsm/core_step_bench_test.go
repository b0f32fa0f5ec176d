package fsm

import (
	"testing"
	"time"
)

// BenchmarkStepFollowerSeesTheKeyChange steps a follower through changes of
// another candidate's key, the input every follower of a role decides at
// each handover: with many candidates of one role in a process, its cost
// is paid once per candidate per change.
func BenchmarkStepFollowerSeesTheKeyChange(b *testing.B) {
	w := newWorld(b, 1)
	w.feed(Input{Kind: InStart})
	w.feed(Input{Kind: InStoreOpened})
	w.feed(Input{Kind: InKey, Key: KeyView{Revision: 1, Holder: Holder{Name: "other", Term: 1}}})
	w.requirePhase(StateFollower)
	s, at := w.s, w.now
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := Input{Kind: InKey, At: at.Add(time.Duration(i)), Key: KeyView{Revision: uint64(i + 2), Holder: Holder{Name: "other", Term: 1}}}
		s, _ = Step(w.t, s, in)
	}
}
