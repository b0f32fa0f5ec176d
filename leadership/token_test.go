package leadership_test

import (
	"testing"

	"github.com/batonhq/baton/leadership"
)

func TestTokenSupersedes(t *testing.T) {
	base := leadership.Token{Role: "r", Holder: "a", Revision: 10, Nonce: "n1"}
	cases := []struct {
		name  string
		next  leadership.Token
		other leadership.Token
		want  bool
	}{
		{"later revision", leadership.Token{Role: "r", Holder: "b", Revision: 11, Nonce: "n2"}, base, true},
		{"earlier revision", leadership.Token{Role: "r", Holder: "b", Revision: 9, Nonce: "n2"}, base, false},
		{"same term", base, base, true},
		{"reused revision, other nonce", leadership.Token{Role: "r", Holder: "b", Revision: 10, Nonce: "n2"}, base, false},
		{"anything beats nothing", base, leadership.Token{}, true},
		{"zero never supersedes", leadership.Token{}, base, false},
		{"other role", leadership.Token{Role: "s", Holder: "b", Revision: 99, Nonce: "n"}, base, false},
	}
	for _, c := range cases {
		if got := c.next.Supersedes(c.other); got != c.want {
			t.Errorf("%s: %v.Supersedes(%v) = %v, want %v", c.name, c.next, c.other, got, c.want)
		}
	}
}

func TestTokenStringRoundTrip(t *testing.T) {
	for _, tok := range []leadership.Token{
		{Role: "scheduler", Holder: "node-1", Revision: 42, Nonce: "abc"},
		{Role: "region/eu/controller", Holder: "h", Revision: 1, Nonce: "n"},
	} {
		got, err := leadership.ParseToken(tok.String())
		if err != nil || got != tok {
			t.Errorf("ParseToken(%q) = %+v, %v; want %+v", tok.String(), got, err, tok)
		}
	}
	for _, bad := range []string{"", "r", "r/1/n", "r/x/n/h", "r/0/n/h", "/1/n/h", "r/1//h", "r/1/n/"} {
		if _, err := leadership.ParseToken(bad); err == nil {
			t.Errorf("ParseToken(%q) accepted garbage", bad)
		}
	}
}
