package fsm

import "testing"

// TestRowFinishOnlyOnTheMoveIntoStopped: the election actor stops itself on
// DoFinish and keeps no mark of having done so, since the core asks for it
// once: on the move into StateStopped, after a stop or a failure for good,
// and never again whatever comes in after.
func TestRowFinishOnlyOnTheMoveIntoStopped(t *testing.T) {
	stopped := lead(t)
	stopped.feed(Input{Kind: InStop, KeepLease: true})
	failed := newWorld(t, 1)
	failed.feed(Input{Kind: InStart})
	failed.feed(Input{Kind: InStoreOpened, Err: "no JetStream", Permanent: true})
	for _, w := range []*world{stopped, failed} {
		w.requirePhase(StateStopped)
		w.mustHave(DoFinish, "the move into stopped", nil)
		for kind := InStart; kind <= lastInput; kind++ {
			w.feed(Input{Kind: kind, Forced: true})
			w.mustNotHave(DoFinish)
		}
		for timer := TimerCampaign; timer <= LastTimer; timer++ {
			w.feed(Input{Kind: InTick, Timer: timer})
			w.mustNotHave(DoFinish)
		}
	}
}
