package leadership

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/nats-io/nats.go"
)

// controlReply is the answer to a control request, as JSON.
type controlReply struct {
	// Token is the term that ended (Token.String form).
	Token string `json:"token,omitempty"`
	// Error is why the request was not carried out.
	Error string `json:"error,omitempty"`
}

// controlWork is the leader-work actor that serves ResignSubject for a term.
// Its resign waits for the release, bounded by timeout.
func controlWork(nc *nats.Conn, bucket string, timeout time.Duration) WorkFunc {
	return func(t Token) *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor {
			return &controlActor{nc: nc, subject: ResignSubject(bucket, t.Role, t.Holder), token: t, timeout: timeout}
		})
	}
}

// controlActor subscribes to the resign subject while its term lasts. A
// request makes the role resign; the answer is sent once the election has
// released the lease (or failed to), which is after the term ended, so it
// is sent from the subscription's goroutine and not bounded by the actor's
// life.
type controlActor struct {
	nc      *nats.Conn
	subject string
	token   Token
	timeout time.Duration

	sub *nats.Subscription // touched only from Receive
}

// Receive implements actor.Actor.
func (a *controlActor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		// The role actor is the parent; it hands Resign to its election.
		system, role := ctx.ActorSystem(), ctx.Parent()
		sub, err := a.nc.Subscribe(a.subject, func(msg *nats.Msg) { a.resign(system, role, msg) })
		if err != nil {
			panic(fmt.Errorf("serve %s: %w", a.subject, err))
		}
		a.sub = sub
	case *actor.Stopping, *actor.Restarting:
		if a.sub != nil {
			_ = a.sub.Unsubscribe()
			a.sub = nil
		}
	}
}

// resign asks the role to resign and answers once the release is done.
func (a *controlActor) resign(system *actor.ActorSystem, role *actor.PID, msg *nats.Msg) {
	reply := controlReply{Token: a.token.String()}
	res, err := system.Root.RequestFuture(role, &Resign{}, a.timeout).Result()
	switch r, ok := res.(*ResignResult); {
	case err != nil:
		reply.Error = err.Error()
	case !ok:
		reply.Error = fmt.Sprintf("unexpected reply %T", res)
	case r.Err != nil:
		reply.Error = r.Err.Error()
	}
	data, _ := json.Marshal(reply) // two strings always marshal
	_ = msg.Respond(data)
}
