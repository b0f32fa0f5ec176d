package interpret_test

import (
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

func TestKeyView(t *testing.T) {
	written := time.Unix(100, 0)
	lease := func(rec transport.Record) transport.Entry {
		return transport.Entry{Role: "r", Revision: 7, Written: written, Record: rec}
	}
	cases := []struct {
		name string
		ev   transport.KeyEvent
		want fsm.KeyView
	}{
		{"no message", transport.KeyEvent{Kind: transport.KeyAbsent}, fsm.KeyView{Free: true}},
		{"a marker", transport.KeyEvent{Kind: transport.KeyDeleted, Entry: transport.Entry{Revision: 7}}, fsm.KeyView{Free: true, Revision: 7}},
		{"a lease", transport.KeyEvent{Kind: transport.KeyPut, Entry: lease(transport.Record{Holder: "b", Nonce: "n", Term: 3})},
			fsm.KeyView{Revision: 7, Holder: fsm.Holder{Name: "b", Term: 3, Revision: 7, Nonce: "n"}}},
		{"an offer to us", transport.KeyEvent{Kind: transport.KeyPut, Entry: lease(transport.Record{Holder: "b", Nonce: "n", OfferedTo: "me"})},
			fsm.KeyView{Revision: 7, Expiring: true, Written: written, Holder: fsm.Holder{Name: "b", Term: 7, Revision: 7, Nonce: "n", OfferedTo: "me"}}},
		{"a term of ours under our session", transport.KeyEvent{Kind: transport.KeyPut, OurSession: true, Entry: lease(transport.Record{Holder: "me", Nonce: "n", Session: "s"})},
			fsm.KeyView{Revision: 7, Ours: true, Holder: fsm.Holder{Name: "me", Term: 7, Revision: 7, Nonce: "n"}}},
		{"an offer of ours under our session", transport.KeyEvent{Kind: transport.KeyPut, OurSession: true, Entry: lease(transport.Record{Holder: "me", Nonce: "n", Session: "s", OfferedTo: "b"})},
			fsm.KeyView{Revision: 7, Expiring: true, Written: written, Holder: fsm.Holder{Name: "me", Term: 7, Revision: 7, Nonce: "n", OfferedTo: "b"}}},
		{"another's lease under our session's store", transport.KeyEvent{Kind: transport.KeyPut, OurSession: true, Entry: lease(transport.Record{Holder: "b", Nonce: "n", Session: "s"})},
			fsm.KeyView{Revision: 7, Holder: fsm.Holder{Name: "b", Term: 7, Revision: 7, Nonce: "n"}}},
		{"a lease whose session ended", transport.KeyEvent{Kind: transport.KeySessionEnded, SessionEnd: 5, Entry: lease(transport.Record{Holder: "b", Session: "s"})},
			fsm.KeyView{Free: true, Revision: 7, Session: "s", SessionEnd: 5}},
		{"a foreign value", transport.KeyEvent{Kind: transport.KeyPut, Entry: transport.Entry{Revision: 7, Malformed: errors.New("not json")}},
			fsm.KeyView{Revision: 7, Holder: fsm.Holder{Name: interpret.ForeignHolder, Foreign: true, Revision: 7}}},
	}
	for _, c := range cases {
		if got := interpret.KeyView(c.ev, "me"); got != c.want {
			t.Errorf("%s: KeyView = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestCallInputCountsADeadlineFromTheSessionsProof(t *testing.T) {
	sentAt := time.Unix(1000, 0)
	start := time.Unix(50, 0) // the store's clock differs from the election's
	e := fsm.Effect{Kind: fsm.DoRenew, Lease: fsm.Lease{Term: 4, Revision: 9, Nonce: "n"}}
	call, ok := interpret.NewCall(e, interpret.Self{Role: "r", InstanceID: "me", TTL: time.Second}, sentAt, "", func(uint64) transport.Record {
		return transport.Record{Holder: "me", Nonce: "n", Session: "s"}
	})
	if !ok {
		t.Fatal("a renewal is a store call")
	}
	proof := start.Add(-300 * time.Millisecond)
	in := call.Input(interpret.Answer{Start: start, Lease: transport.Lease{Term: 4, Revision: 9, Proof: proof}})
	if in.Kind != fsm.InRenewed || in.Result != fsm.WriteOK || !in.SentAt.Equal(sentAt.Add(-300*time.Millisecond)) {
		t.Fatalf("input %+v: want a renewal proven 300ms before the call on the election's clock", in)
	}
	failed := call.Input(interpret.Answer{Err: transport.ErrUnknownOutcome})
	if failed.Result != fsm.WriteUnknown || !failed.SentAt.Equal(sentAt) || failed.Lease.Term != 4 {
		t.Fatalf("input %+v: want an unknown outcome of term 4 sent at the call", failed)
	}
}
