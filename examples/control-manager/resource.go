package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/batonhq/baton/leadership"
)

// write is one change a leader makes to the resource, carrying its term's
// fencing token.
type write struct {
	token leadership.Token
	value string
	at    time.Time
}

// resource is what the control loop manages, standing in for a database
// row, an object store or a downstream API. It accepts a write only if the
// write's token supersedes the highest token it has accepted
// (leadership.Token.Supersedes), so once a newer term has written, an older
// leader's writes are refused, however late they arrive. It is safe for
// concurrent use.
type resource struct {
	mu       sync.Mutex // guards the fields below
	highest  leadership.Token
	value    string
	accepted []write
	rejected []write
}

// apply stores w.value if w.token supersedes every token accepted so far,
// and returns errStaleToken otherwise.
func (r *resource) apply(w write) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !w.token.Supersedes(r.highest) {
		r.rejected = append(r.rejected, w)
		return fmt.Errorf("%w: term %d of %s, but term %d of %s has written",
			errStaleToken, w.token.Revision, w.token.Holder, r.highest.Revision, r.highest.Holder)
	}
	r.highest, r.value = w.token, w.value
	r.accepted = append(r.accepted, w)
	return nil
}

// snapshot returns the current value, the highest token and copies of the
// accepted and rejected writes, in order.
func (r *resource) snapshot() (value string, highest leadership.Token, accepted, rejected []write) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.value, r.highest, append([]write(nil), r.accepted...), append([]write(nil), r.rejected...)
}
