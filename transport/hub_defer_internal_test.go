package transport

import (
	"errors"
	"slices"
	"testing"
)

// lease returns a put of key "r" at rev held by holder, offered to offered.
func lease(rev uint64, holder, offered string) KeyEvent {
	return KeyEvent{Kind: KeyPut, Entry: Entry{Role: "r", Revision: rev, Record: Record{Holder: holder, OfferedTo: offered}}}
}

func TestChangeConcerns(t *testing.T) {
	freed := KeyEvent{Kind: KeyDeleted, Entry: Entry{Role: "r", Revision: 9}}
	ended := lease(9, "a", "")
	ended.Kind = KeySessionEnded
	garbage := KeyEvent{Kind: KeyPut, Entry: Entry{Role: "r", Revision: 9, Malformed: errors.New("not a record")}}
	cases := []struct {
		name       string
		candidate  string
		prev       KeyEvent
		seen       bool
		next       KeyEvent
		concerning bool
	}{
		{"a renewal between others waits", "c", lease(9, "a", ""), true, lease(10, "a", ""), false},
		{"an offer to another waits", "c", lease(9, "a", ""), true, lease(10, "a", "b"), false},
		{"a claim by another waits", "c", lease(9, "a", "b"), true, lease(10, "b", ""), false},
		{"the holder hears its lease move", "a", lease(9, "a", "b"), true, lease(10, "b", ""), true},
		{"the successor hears the offer", "b", lease(9, "a", ""), true, lease(10, "a", "b"), true},
		{"the holder hears its renewal", "a", lease(9, "a", ""), true, lease(10, "a", ""), true},
		{"a freed key reaches everyone", "c", lease(9, "a", ""), true, freed, true},
		{"a key taken after free reaches everyone", "c", freed, true, lease(10, "b", ""), true},
		{"an ended session reaches everyone", "c", lease(9, "a", ""), true, ended, true},
		{"garbage reaches everyone", "c", lease(9, "a", ""), true, garbage, true},
		{"a first change reaches everyone", "c", KeyEvent{}, false, lease(10, "a", ""), true},
		{"a watch for nobody hears everything", "", lease(9, "a", ""), true, lease(10, "a", ""), true},
	}
	for _, c := range cases {
		if got := changeConcerns(c.candidate, c.prev, c.seen, c.next); got != c.concerning {
			t.Errorf("%s: changeConcerns = %v, want %v", c.name, got, c.concerning)
		}
	}
}

// heard records the revisions a watch of the fan-out was given.
type heard struct{ revs []uint64 }

func (h *heard) watch(k *keyFanout, candidate string) *keyWatch {
	return k.add("r", candidate, func(ev KeyEvent) { h.revs = append(h.revs, ev.Entry.Revision) })
}

func TestAHandoverReachesABystanderOnceWithItsNewestChange(t *testing.T) {
	k := newKeyFanout(1)
	var old, successor, bystander, nobody heard
	old.watch(k, "a")
	successor.watch(k, "b")
	bystander.watch(k, "c")
	nobody.watch(k, "")

	acquired, offered, claimed := lease(5, "a", ""), lease(6, "a", "b"), lease(7, "b", "")
	k.deliver("r", KeyEvent{}, false, acquired)
	k.deliver("r", acquired, true, offered)
	k.deliver("r", offered, true, claimed)
	if !k.holding() {
		t.Fatal("holding() = false after two changes between others, want the bystander's change held back")
	}
	for name, h := range map[string]*heard{"old holder": &old, "successor": &successor, "watch for nobody": &nobody} {
		if want := []uint64{5, 6, 7}; !slices.Equal(h.revs, want) {
			t.Errorf("%s heard %v before the flush, want %v at once", name, h.revs, want)
		}
	}
	if want := []uint64{5}; !slices.Equal(bystander.revs, want) {
		t.Errorf("bystander heard %v before the flush, want only the acquisition %v", bystander.revs, want)
	}
	k.flush()
	if want := []uint64{5, 7}; !slices.Equal(bystander.revs, want) {
		t.Errorf("bystander heard %v after the flush, want %v: the newest change once, not the offer", bystander.revs, want)
	}
	if k.holding() {
		t.Error("holding() = true after the flush")
	}
}

func TestAChangeHeardAtOnceSupersedesADeferredOne(t *testing.T) {
	k := newKeyFanout(1)
	var bystander heard
	bystander.watch(k, "c")
	held, renewed := lease(5, "a", ""), lease(6, "a", "")
	freed := KeyEvent{Kind: KeyDeleted, Entry: Entry{Role: "r", Revision: 7}}
	k.deliver("r", KeyEvent{}, false, held)
	k.deliver("r", held, true, renewed)
	k.deliver("r", renewed, true, freed)
	k.flush()
	if want := []uint64{5, 7}; !slices.Equal(bystander.revs, want) {
		t.Errorf("bystander heard %v, want %v: the release at once, and the renewal before it never after it", bystander.revs, want)
	}
}

func TestAWatchHearsItsFirstStateAtOnce(t *testing.T) {
	k := newKeyFanout(1)
	held, renewed := lease(5, "a", ""), lease(6, "a", "")
	var bystander heard
	bystander.watch(k, "c")
	k.deliver("r", held, true, renewed)
	if want := []uint64{6}; !slices.Equal(bystander.revs, want) {
		t.Errorf("a watch not yet primed heard %v, want its first state %v at once", bystander.revs, want)
	}
}

func TestAKeyWithFewWatchesDefersNothing(t *testing.T) {
	k := newKeyFanout(4)
	var old, successor, bystander heard
	old.watch(k, "a")
	successor.watch(k, "b")
	acquired, offered := lease(5, "a", ""), lease(6, "a", "b")
	bystander.watch(k, "c")
	k.deliver("r", KeyEvent{}, false, acquired)
	k.deliver("r", acquired, true, offered)
	if want := []uint64{5, 6}; !slices.Equal(bystander.revs, want) || k.holding() {
		t.Errorf("with 3 watches and deferFrom 4, bystander heard %v (holding %v), want %v at once", bystander.revs, k.holding(), want)
	}
	var fourth heard
	fourth.watch(k, "d")
	k.deliver("r", KeyEvent{}, false, lease(7, "b", ""))
	k.deliver("r", lease(7, "b", ""), true, lease(8, "b", ""))
	if want := []uint64{5, 6, 7}; !slices.Equal(bystander.revs, want) || !k.holding() {
		t.Errorf("with 4 watches, bystander heard %v (holding %v), want %v and the renewal held back", bystander.revs, k.holding(), want)
	}
}

func TestAStoppedWatchHearsNoDeferredChange(t *testing.T) {
	k := newKeyFanout(1)
	var bystander heard
	w := bystander.watch(k, "c")
	held, renewed := lease(5, "a", ""), lease(6, "a", "")
	k.deliver("r", KeyEvent{}, false, held)
	k.deliver("r", held, true, renewed)
	w.Stop()
	k.flush()
	if want := []uint64{5}; !slices.Equal(bystander.revs, want) {
		t.Errorf("a stopped watch heard %v, want only %v from before its Stop", bystander.revs, want)
	}
}
