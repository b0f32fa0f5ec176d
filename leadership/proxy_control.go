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

// controlWork is the leader-work actor that serves ResignSubject and
// HandOffSubject for a term. A resign or handoff waits for the lease to be
// released or offered, bounded by timeout.
func controlWork(nc *nats.Conn, bucket string, timeout time.Duration) WorkFunc {
	return func(t Token) *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor {
			return &controlActor{
				nc: nc, token: t, timeout: timeout,
				resignSubject:  ResignSubject(bucket, t.Role, t.Holder),
				handOffSubject: HandOffSubject(bucket, t.Role, t.Holder),
			}
		})
	}
}

// controlActor subscribes to the control subjects while its term lasts. A
// request makes the role resign, handing the lease to the named successor
// for a handoff (the request's body); the answer is sent once the election
// has released or offered the lease (or failed to), which is after the term
// ended, so it is sent from the subscription's goroutine and not bounded by
// the actor's life.
type controlActor struct {
	nc                            *nats.Conn
	resignSubject, handOffSubject string
	token                         Token
	timeout                       time.Duration

	subs []*nats.Subscription // touched only from Receive
}

// Receive implements actor.Actor.
func (a *controlActor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		// The role actor is the parent; it hands Resign to its election.
		system, role := ctx.ActorSystem(), ctx.Parent()
		serve := map[string]func(*nats.Msg) *Resign{
			a.resignSubject:  func(*nats.Msg) *Resign { return &Resign{} },
			a.handOffSubject: func(msg *nats.Msg) *Resign { return &Resign{Successor: string(msg.Data)} },
		}
		for subject, request := range serve {
			sub, err := a.nc.Subscribe(subject, func(msg *nats.Msg) { a.resign(system, role, msg, request(msg)) })
			if err != nil {
				panic(fmt.Errorf("serve %s: %w", subject, err))
			}
			a.subs = append(a.subs, sub)
		}
	case *actor.Stopping, *actor.Restarting:
		for _, sub := range a.subs {
			_ = sub.Unsubscribe()
		}
		a.subs = nil
	}
}

// resign asks the role to resign (or hand off) and answers once that is
// done.
func (a *controlActor) resign(system *actor.ActorSystem, role *actor.PID, msg *nats.Msg, request *Resign) {
	reply := controlReply{Token: a.token.String()}
	res, err := system.Root.RequestFuture(role, request, a.timeout).Result()
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
