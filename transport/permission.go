package transport

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// A server refuses a publish or a subscription the user has no permission
// for with an -ERR line instead of a reply, so a request waits out its whole
// context and ends in a timeout that says nothing of permissions. nats.go
// keeps the -ERR as the connection's LastError. The server handles a
// client's messages in order, so once a flush issued after the request
// comes back, the refusal of the request (if any) has been recorded: a
// guarded call flushes while its request is pending and stops at the first
// refusal that concerns it.

// Flush checks start this long after the call and back off, so a request
// answered within a round trip costs no flush at all.
const (
	refusalFirstCheck = 5 * time.Millisecond
	refusalMaxCheck   = 100 * time.Millisecond
)

// refusalRe reads the server's text: Permissions Violation for Publish to
// "subject", or for Subscription to "subject" (with more after it).
var refusalRe = regexp.MustCompile(`Permissions Violation for (Publish|Subscription) to "([^"]+)"`)

// refusal is a permission violation the server reported.
type refusal struct {
	publish bool // false: a subscription was refused
	subject string
}

// concerns says whether a refusal is one a guarded call caused.
type concerns func(r refusal) bool

// jsAPIRefusal concerns the JetStream API requests Open makes, and the
// subscription nats.go makes for their replies.
func jsAPIRefusal(r refusal) bool {
	return !r.publish || strings.HasPrefix(r.subject, jsAPIPrefix)
}

// jsAPIPrefix is the subject prefix of the JetStream API (no domain).
const jsAPIPrefix = "$JS.API."

// keyRefusal concerns a write to the key subject, which may read the key
// through the JetStream API as well.
func keyRefusal(subject string) concerns {
	return func(r refusal) bool {
		return r.publish && (r.subject == subject || strings.HasPrefix(r.subject, jsAPIPrefix))
	}
}

// guarded runs call, whose requests go out on nc, and returns early with the
// server's permission violation when one that concerns it arrives while it
// runs. call runs on the caller's goroutine, so a request answered at once
// costs no more than before; the connection's watcher (permission_watch.go)
// does the flushing while it waits. call starts once the connection's
// window of requests has room (request_window.go).
func guarded(ctx context.Context, nc *nats.Conn, match concerns, call func(ctx context.Context) error) error {
	leave, err := enterWindow(ctx, nc)
	if err != nil {
		return err
	}
	defer leave()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &guardedCall{before: nc.LastError(), match: match, denied: make(chan error, 1), cancel: cancel}
	done := watchFor(nc, c)
	err = call(ctx)
	done()
	select {
	case d := <-c.denied:
		return d
	default:
	}
	if err != nil {
		if d := refused(nc, c.before, match); d != nil {
			return d
		}
	}
	return err
}

// refused returns nc's last error if it is a permission violation that
// arrived after before and concerns the caller. A violation that another
// part of the program caused in between can hide one; the call then ends as
// it would have without the guard.
func refused(nc *nats.Conn, before error, match concerns) error {
	err := nc.LastError()
	if err == nil || !errors.Is(err, nats.ErrPermissionViolation) || err == before { //nolint:errorlint // identity, not kind: a new -ERR is a new value
		return nil
	}
	m := refusalRe.FindStringSubmatch(err.Error())
	if m == nil || !match(refusal{publish: m[1] == "Publish", subject: m[2]}) {
		return nil
	}
	return err
}
