package leadership

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// DefaultAttemptTimeout bounds one attempt of Request unless AttemptTimeout
// says otherwise.
const DefaultAttemptTimeout = time.Second

// RequestOption adjusts Request.
type RequestOption func(*requestOptions)

type requestOptions struct {
	attempt time.Duration
}

// AttemptTimeout bounds each attempt of Request: after it, the request is
// sent again (while the context lasts). Make it longer than the leader's
// ServeFunc takes, or every request is served twice.
func AttemptTimeout(d time.Duration) RequestOption {
	return func(o *requestOptions) { o.attempt = d }
}

// retryPause is the wait after "no responders" (no leader serving yet)
// before asking again; a failover takes at least this long.
const retryPause = 50 * time.Millisecond

// Request sends data to whoever leads role in bucket (an election with
// Config.Requests.Serve) and returns its answer. While no leader answers
// (during a failover, or before anyone leads) it asks again, every 50ms
// after "no responders" and at once after an attempt timed out, until ctx
// ends; then it returns an error wrapping ErrNoLeader and the context's
// error. An error returned by the leader's ServeFunc wraps ErrServeFailed
// and is not retried.
//
// Delivery is at least once, not exactly once: an attempt that timed out
// may have been served (by a leader whose answer was lost, or that answered
// too late), and the request is then served again by the same or the next
// leader. Make the ServeFunc idempotent, for example with a request ID in
// data. A leader that is demoted stops serving before its Demoted is
// delivered, so every answer comes from a candidate that led when it sent
// it; the answer's content can carry the term's Token for a fenced check.
func Request(ctx context.Context, nc *nats.Conn, bucket, role string, data []byte, opts ...RequestOption) ([]byte, error) {
	o := requestOptions{attempt: DefaultAttemptTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	subject := RequestSubject(bucket, role)
	last := errors.New("no attempt made")
	for ctx.Err() == nil {
		attempt, cancel := context.WithTimeout(ctx, o.attempt)
		msg, err := nc.RequestMsgWithContext(attempt, &nats.Msg{Subject: subject, Data: data})
		cancel()
		switch {
		case err == nil:
			if e := msg.Header.Get(errorHeader); e != "" {
				return nil, fmt.Errorf("%w: %s", ErrServeFailed, e)
			}
			return msg.Data, nil
		case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrBadSubject):
			return nil, fmt.Errorf("request %s: %w", subject, err)
		case errors.Is(err, nats.ErrNoResponders):
			last = err
			pause(ctx, retryPause)
		default:
			// Timed out, or the connection is down: the next attempt may
			// reach a leader.
			last = err
			if !errors.Is(err, context.DeadlineExceeded) {
				pause(ctx, retryPause)
			}
		}
	}
	return nil, fmt.Errorf("request %s: %w (last attempt: %w): %w", subject, ErrNoLeader, last, ctx.Err())
}

// RequestResign asks instance, the leader of role in bucket, to resign (see
// Config.Requests.Control), and returns the token of the term that ended
// once the leader has released its lease. A leader starts serving the
// request just after its promotion, so "no responders" is retried every 50ms
// until ctx ends; then it returns an error wrapping ErrNoLeader: instance
// does not lead the role, or does not run with Config.Requests.Control. An
// error of the leader's own is returned as it is.
func RequestResign(ctx context.Context, nc *nats.Conn, bucket, role, instance string) (Token, error) {
	return controlRequest(ctx, nc, ResignSubject(bucket, role, instance), instance, nil)
}

// RequestHandOff asks instance, the leader of role in bucket, to hand its
// lease to the candidate successor (see Election.HandOff and
// Config.Requests.Control), and returns the token of the term that ended
// once the lease is offered. It fails as RequestResign does, and with the
// leader's ErrNoSuccessor when successor is not a live candidate (the leader
// then keeps leading).
func RequestHandOff(ctx context.Context, nc *nats.Conn, bucket, role, instance, successor string) (Token, error) {
	return controlRequest(ctx, nc, HandOffSubject(bucket, role, instance), instance, []byte(successor))
}

// controlRequest sends one control request to instance and reads its reply.
func controlRequest(ctx context.Context, nc *nats.Conn, subject, instance string, body []byte) (Token, error) {
	msg, err := nc.RequestWithContext(ctx, subject, body)
	for errors.Is(err, nats.ErrNoResponders) && ctx.Err() == nil {
		pause(ctx, retryPause)
		msg, err = nc.RequestWithContext(ctx, subject, body)
	}
	switch {
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Token{}, fmt.Errorf("control %s: %w: %q does not answer (%w)", subject, ErrNoLeader, instance, err)
	case err != nil:
		return Token{}, fmt.Errorf("control %s: %w", subject, err)
	}
	var reply controlReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil {
		return Token{}, fmt.Errorf("control %s: bad reply: %w", subject, err)
	}
	t, _ := ParseToken(reply.Token) // a zero token if the leader sent none
	if reply.Error != "" {
		if strings.Contains(reply.Error, ErrNoSuccessor.Error()) {
			return t, fmt.Errorf("control %s: %w: %s", subject, ErrNoSuccessor, reply.Error)
		}
		return t, fmt.Errorf("control %s: %s", subject, reply.Error)
	}
	return t, nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
