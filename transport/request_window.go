package transport

import (
	"context"
	"errors"
	"fmt"

	"github.com/batonhq/baton/internal/window"
	"github.com/nats-io/nats.go"
)

// A window of requests in flight per connection. A process that starts
// thousands of elections at once sends thousands of writes at once; the
// server then answers each later than the operation timeout, every write
// ends with its outcome unknown, and each election backs off and reconciles
// as if its write might have landed. Requests that wait on the client
// before they are sent cost nothing of the kind: a write never sent is
// known not to have happened. So at most maxRequestsInFlight of one
// connection's requests to its bucket (writes and reads alike) are on the
// wire at once, and the others queue, first come first served.

// maxRequestsInFlight bounds the requests one connection has sent to its
// bucket and not had answered. The server applies a stream's writes one
// after the other, so more in flight only lengthens each one's wait for
// its answer.
const maxRequestsInFlight = 256

// requestWindows are the windows of the connections with requests in
// flight.
var requestWindows = window.New[*nats.Conn](maxRequestsInFlight)

// errNotSent reports a request that waited for room in its connection's
// window until its context ended: it was never sent.
var errNotSent = errors.New("request not sent: the connection's requests in flight stayed at their limit until the deadline")

// enterWindow waits for room in nc's window of requests. It returns the
// function that gives the room back once the request is answered, or
// errNotSent if ctx ended first.
func enterWindow(ctx context.Context, nc *nats.Conn) (leave func(), err error) {
	leave, err = requestWindows.Enter(ctx, nc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNotSent, err)
	}
	return leave, nil
}
