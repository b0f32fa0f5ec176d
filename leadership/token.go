package leadership

import (
	"fmt"
	"strconv"
	"strings"
)

// Token is the fencing token of one leadership term. Pass it with every
// write the leader makes to a shared resource; the resource keeps the
// highest token it has seen and refuses writes whose token does not
// supersede it (see Supersedes). The zero Token means "no term".
type Token struct {
	// Role is the role the term is for.
	Role string
	// Holder is the instance ID of the leader.
	Holder string
	// Revision is the KV revision at which the lease was acquired. Revisions
	// only grow within a stream's life, so a later term has a larger one.
	Revision uint64
	// Nonce is random per term. After a whole-cluster crash that loses
	// unsynced data a revision can be handed out again; the nonce tells the
	// two terms apart.
	Nonce string
}

// IsZero reports whether t is the zero Token.
func (t Token) IsZero() bool { return t == Token{} }

// Supersedes reports whether a resource that has accepted other may accept
// t: t's revision is greater, or equal with the same nonce (the same term).
// A token for another role never supersedes.
func (t Token) Supersedes(other Token) bool {
	if t.IsZero() || t.Role != other.Role && !other.IsZero() {
		return false
	}
	if t.Revision != other.Revision {
		return t.Revision > other.Revision
	}
	return t.Nonce == other.Nonce
}

// String returns the compact form "role/revision/nonce/holder", for headers
// and logs. ParseToken reads it back.
func (t Token) String() string {
	return t.Role + "/" + strconv.FormatUint(t.Revision, 10) + "/" + t.Nonce + "/" + t.Holder
}

// ParseToken parses the form written by Token.String. The role may itself
// contain '/', so the fields are taken from the right.
func ParseToken(s string) (Token, error) {
	holderAt := strings.LastIndexByte(s, '/')
	if holderAt < 0 {
		return Token{}, fmt.Errorf("parse token %q: want role/revision/nonce/holder", s)
	}
	nonceAt := strings.LastIndexByte(s[:holderAt], '/')
	if nonceAt < 0 {
		return Token{}, fmt.Errorf("parse token %q: want role/revision/nonce/holder", s)
	}
	revAt := strings.LastIndexByte(s[:nonceAt], '/')
	if revAt <= 0 {
		return Token{}, fmt.Errorf("parse token %q: want role/revision/nonce/holder", s)
	}
	rev, err := strconv.ParseUint(s[revAt+1:nonceAt], 10, 64)
	if err != nil || rev == 0 {
		return Token{}, fmt.Errorf("parse token %q: revision %q is not a positive integer", s, s[revAt+1:nonceAt])
	}
	t := Token{Role: s[:revAt], Revision: rev, Nonce: s[nonceAt+1 : holderAt], Holder: s[holderAt+1:]}
	if t.Nonce == "" || t.Holder == "" {
		return Token{}, fmt.Errorf("parse token %q: empty nonce or holder", s)
	}
	return t, nil
}
