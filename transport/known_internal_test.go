package transport

import "testing"

func TestKeyStateAdvance(t *testing.T) {
	put := func(rev uint64) KeyEvent { return KeyEvent{Kind: KeyPut, Entry: Entry{Role: "k", Revision: rev}} }
	del := func(rev uint64) KeyEvent { return KeyEvent{Kind: KeyDeleted, Entry: Entry{Role: "k", Revision: rev}} }
	held := keyState{present: true, revision: 10}
	freed := keyState{revision: 10}
	cases := []struct {
		name     string
		st       keyState
		seen     bool
		ev       KeyEvent
		asOf     uint64
		news     bool
		present  bool
		revision uint64
	}{
		{"first put", keyState{}, false, put(5), 0, true, true, 5},
		{"newer put", held, true, put(11), 0, true, true, 11},
		{"repeated put", held, true, put(10), 0, false, true, 10},
		{"older delete", held, true, del(9), 0, false, true, 10},
		{"first absent", keyState{}, false, absentEvent("k"), 7, true, false, 7},
		{"absent as of a later listing frees a held key", held, true, absentEvent("k"), 12, true, false, 12},
		{"absent from a listing older than the put is dropped", held, true, absentEvent("k"), 9, false, true, 10},
		{"absent of a free key is no news", freed, true, absentEvent("k"), 12, false, false, 12},
		{"a put older than an absent listing is dropped", keyState{revision: 12, absent: true}, true, put(11), 0, false, false, 12},
	}
	for _, c := range cases {
		next, news := c.st.advance(c.seen, c.ev, c.asOf)
		if news != c.news || next.present != c.present || next.revision != c.revision {
			t.Errorf("%s: got news %v present %v revision %d, want %v %v %d",
				c.name, news, next.present, next.revision, c.news, c.present, c.revision)
		}
	}
}
