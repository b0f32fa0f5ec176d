package leadership

import "testing"

// counted returns a share whose Close counts into closes.
func counted(closes *int) *storeRef {
	return &storeRef{release: func() { *closes++ }}
}

func TestAStoreOpenedForAStoppedElectionIsGivenBack(t *testing.T) {
	var closes int
	h := &storeHandoff{}
	h.abandon()
	h.put(counted(&closes))
	if closes != 1 {
		t.Fatalf("a store put after its election stopped was closed %d times, want once", closes)
	}
	if h.take() != nil {
		t.Fatal("an abandoned handoff gave a store")
	}
}

func TestAStoreNotTakenIsGivenBackWhenTheElectionStops(t *testing.T) {
	var closes int
	h := &storeHandoff{}
	h.put(counted(&closes))
	h.abandon()
	if closes != 1 {
		t.Fatalf("a store left untaken was closed %d times when its election stopped, want once", closes)
	}
}

func TestATakenStoreIsTheElections(t *testing.T) {
	var closes int
	h := &storeHandoff{}
	s := counted(&closes)
	h.put(s)
	if got := h.take(); got != s {
		t.Fatalf("take = %p, want the store put, %p", got, s)
	}
	h.abandon()
	if closes != 0 {
		t.Fatalf("a store the election took was closed %d times by the handoff, want none: the election gives it back", closes)
	}
}
