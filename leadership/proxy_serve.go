package leadership

import (
	"context"
	"fmt"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/nats-io/nats.go"
)

// ServeFunc answers one request sent to the role's leader with Request. It
// runs only while this candidate leads, with the term's token and a context
// cancelled when the term ends; it must return promptly once that context
// is done. Requests are served one at a time, in the order they arrive. A
// non-nil error is returned to the requester wrapped in ErrServeFailed.
type ServeFunc func(ctx context.Context, t Token, req []byte) ([]byte, error)

// errorHeader carries a ServeFunc's or a control request's error to the
// requester.
const errorHeader = "Baton-Error"

// serveWork is the leader-work actor that serves RequestSubject for a term.
func serveWork(nc *nats.Conn, bucket string, serve ServeFunc) WorkFunc {
	return func(t Token) *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor {
			return &serveActor{nc: nc, subject: RequestSubject(bucket, t.Role), token: t, serve: serve}
		})
	}
}

// serveActor subscribes to the request subject when it starts and
// unsubscribes when it stops. Its role stops it, and waits until it has
// stopped, before the term's Demoted is reported; a reply is sent only
// under mu while open, and Stopping closes it under mu, so no reply leaves
// after the actor stopped, even from a ServeFunc that is still running.
type serveActor struct {
	nc      *nats.Conn
	subject string
	token   Token
	serve   ServeFunc

	sub    *nats.Subscription // touched only from Receive
	ctx    context.Context    // ends with the term; set in Started
	cancel context.CancelFunc

	mu     sync.Mutex // guards closed, and orders replies before it is set
	closed bool
}

// Receive implements actor.Actor.
func (a *serveActor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		a.ctx, a.cancel = context.WithCancel(context.Background())
		sub, err := a.nc.Subscribe(a.subject, a.handle)
		if err != nil {
			// Failing makes the role's supervisor restart it with backoff.
			panic(fmt.Errorf("serve %s: %w", a.subject, err))
		}
		a.sub = sub
	case *actor.Stopping, *actor.Restarting:
		a.close()
	}
}

// handle serves one request on the subscription's goroutine.
func (a *serveActor) handle(msg *nats.Msg) {
	if msg.Reply == "" {
		return // nobody waits for an answer
	}
	data, err := a.serve(a.ctx, a.token, msg.Data)
	reply := nats.NewMsg(msg.Reply)
	if err != nil {
		reply.Header.Set(errorHeader, err.Error())
	} else {
		reply.Data = data
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		_ = msg.RespondMsg(reply) // a lost reply is the requester's timeout
	}
}

// close unsubscribes, so no new request reaches this candidate, forbids
// every later reply and ends the term's context.
func (a *serveActor) close() {
	if a.sub != nil {
		_ = a.sub.Unsubscribe() // on a dead link the server forgets it on its own
		a.sub = nil
	}
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	if a.cancel != nil {
		a.cancel()
	}
}
