package leadership

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// TestRankedOfHandsTheCoreWhatItReads: the core decides the same on the
// first names of an order as on the whole of it, wherever we stand in it
// and whatever the priorities.
func TestRankedOfHandsTheCoreWhatItReads(t *testing.T) {
	timing := fsm.Timing{InstanceID: "me", Priority: 1}
	for n := range 12 {
		for us := -1; us < n; us++ {
			for _, priorities := range [][]int{{0}, {1}, {2, 1, 0}, {0, 1, 2}} {
				order := make([]transport.Candidate, n)
				for i := range order {
					order[i] = transport.Candidate{InstanceID: fmt.Sprintf("c%d", i), Priority: priorities[i%len(priorities)]}
				}
				if us >= 0 {
					order[us].InstanceID = "me"
				}
				full := make([]fsm.Ranked, len(order))
				for i, c := range order {
					full[i] = fsm.Ranked{ID: c.InstanceID, Priority: c.Priority}
				}
				in := fsm.Input{Kind: fsm.InCandidates, At: time.Unix(1, 0)}
				in.Candidates = full
				want, _ := fsm.Step(timing, fsm.NewElectionState(), in)
				in.Candidates = rankedOf(order)
				got, _ := fsm.Step(timing, fsm.NewElectionState(), in)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("n=%d, us at %d, priorities %v: state %+v from the first names, want %+v from the whole order", n, us, priorities, got, want)
				}
			}
		}
	}
}
