package main

import (
	"errors"
	"testing"

	"github.com/batonhq/baton/leadership"
)

// TestResourceAcceptsOnlySupersedingTokens applies a sequence of writes to
// one resource and checks each verdict and the final state.
func TestResourceAcceptsOnlySupersedingTokens(t *testing.T) {
	term := func(rev uint64, nonce string) leadership.Token {
		return leadership.Token{Role: role, Holder: "cm-" + nonce, Revision: rev, Nonce: nonce}
	}
	old, next := term(3, "a"), term(7, "b")
	steps := []struct {
		name  string
		token leadership.Token
		ok    bool
	}{
		{"first term", old, true},
		{"same term again", old, true},
		{"newer term", next, true},
		{"older term after the newer one", old, false},
		{"same revision, other nonce", term(7, "c"), false},
		{"another role", leadership.Token{Role: "other", Holder: "x", Revision: 99, Nonce: "d"}, false},
		{"zero token", leadership.Token{}, false},
		{"newer term keeps writing", next, true},
	}
	r := &resource{}
	for _, s := range steps {
		err := r.apply(write{token: s.token, value: s.name})
		switch {
		case s.ok && err != nil:
			t.Errorf("%s: apply = %v, want accepted", s.name, err)
		case !s.ok && !errors.Is(err, errStaleToken):
			t.Errorf("%s: apply = %v, want errStaleToken", s.name, err)
		}
	}
	value, highest, accepted, rejected := r.snapshot()
	if value != "newer term keeps writing" || highest != next {
		t.Errorf("final value %q with %v, want the last accepted write with %v", value, highest, next)
	}
	if len(accepted) != 4 || len(rejected) != 4 {
		t.Errorf("accepted %d and rejected %d writes, want 4 and 4", len(accepted), len(rejected))
	}
}
