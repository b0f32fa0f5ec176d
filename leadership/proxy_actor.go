package leadership

import (
	"context"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/nats-io/nats.go"
)

// ProxyRequest asks a proxy actor (NewProxyProps) to send Data to the
// role's leader. The proxy answers the sender with *ProxyReply.
type ProxyRequest struct {
	Data []byte
	// Timeout bounds the request, retries included. Default 10s.
	Timeout time.Duration
}

// ProxyReply answers ProxyRequest: the leader's answer, or Request's error
// (ErrNoLeader, ErrServeFailed, ...).
type ProxyReply struct {
	Data []byte
	Err  error
}

// defaultProxyTimeout bounds a ProxyRequest without a Timeout.
const defaultProxyTimeout = 10 * time.Second

// NewProxyProps returns the props of a proxy actor for role in bucket: it
// forwards each *ProxyRequest to whoever leads the role with Request and
// replies *ProxyReply to the sender, so actors reach the leader by sending
// to one PID that stays valid across failovers. Requests run concurrently;
// stopping the proxy cancels those in flight (their senders get no reply).
// Delivery is as Request's: at least once.
func NewProxyProps(nc *nats.Conn, bucket, role string, opts ...RequestOption) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &proxyActor{nc: nc, bucket: bucket, role: role, opts: opts}
	})
}

// proxyActor runs each request on a goroutine of its own, so a failover
// never blocks its mailbox.
type proxyActor struct {
	nc           *nats.Conn
	bucket, role string
	opts         []RequestOption

	ctx    context.Context // ends when the actor stops; set in Started
	cancel context.CancelFunc
	wg     sync.WaitGroup // the requests in flight
}

// Receive implements actor.Actor.
func (a *proxyActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.ctx, a.cancel = context.WithCancel(context.Background())
	case *ProxyRequest:
		a.forward(ctx, msg)
	case *actor.Stopping, *actor.Restarting:
		a.cancel()
		a.wg.Wait()
	}
}

// forward sends one request and answers its sender when it is done.
func (a *proxyActor) forward(ctx actor.Context, msg *ProxyRequest) {
	sender, system := ctx.Sender(), ctx.ActorSystem()
	timeout := msg.Timeout
	if timeout <= 0 {
		timeout = defaultProxyTimeout
	}
	a.wg.Go(func() {
		rctx, cancel := context.WithTimeout(a.ctx, timeout)
		defer cancel()
		data, err := Request(rctx, a.nc, a.bucket, a.role, msg.Data, a.opts...)
		if sender != nil && a.ctx.Err() == nil {
			system.Root.Send(sender, &ProxyReply{Data: data, Err: err})
		}
	})
}
