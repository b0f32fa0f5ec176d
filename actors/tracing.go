package actors

import (
	"context"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Trace context travels between actors in the message envelope's header, in
// the W3C trace-context format. The propagator is fixed rather than taken
// from the OpenTelemetry globals: these headers never leave the process, and
// the global propagator is a no-op until an application sets one.
var tracePropagator = propagation.TraceContext{}

// headerCarrier adapts an envelope header to the propagator.
type headerCarrier map[string]string

func (c headerCarrier) Get(key string) string { return c[key] }
func (c headerCarrier) Set(key, value string) { c[key] = value }
func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// readonlyCarrier adapts a received message's header to the propagator.
type readonlyCarrier struct{ h actor.ReadonlyMessageHeader }

func (c readonlyCarrier) Get(key string) string { return c.h.Get(key) }
func (c readonlyCarrier) Set(string, string)    {}
func (c readonlyCarrier) Keys() []string        { return c.h.Keys() }

// SendTraced sends msg to pid with the span context of ctx in the envelope
// header, so the receiver's work joins the sender's trace. It works from an
// actor's context or from system.Root (for goroutines that report back).
func SendTraced(sender actor.SenderContext, ctx context.Context, pid *actor.PID, msg any) {
	header := headerCarrier{}
	tracePropagator.Inject(ctx, header)
	if len(header) == 0 {
		sender.Send(pid, msg)
		return
	}
	sender.Send(pid, &actor.MessageEnvelope{Header: map[string]string(header), Message: msg})
}

// TraceContext returns a context holding the span context carried by the
// message being received, or context.Background() when it carries none.
// Call it from Receive.
func TraceContext(ctx interface {
	MessageHeader() actor.ReadonlyMessageHeader
}) context.Context {
	h := ctx.MessageHeader()
	if h == nil || h.Length() == 0 {
		return context.Background()
	}
	return tracePropagator.Extract(context.Background(), readonlyCarrier{h})
}

// TracingSenderMiddleware makes every message an actor sends while handling
// a traced message carry that trace on, unless it already carries one. With
// it, a chain of actors shares one trace without each handler passing the
// context by hand.
func TracingSenderMiddleware() actor.SenderMiddleware {
	return func(next actor.SenderFunc) actor.SenderFunc {
		return func(c actor.SenderContext, target *actor.PID, envelope *actor.MessageEnvelope) {
			if envelope.GetHeader(traceparent) == "" {
				if h := c.MessageHeader(); h != nil && h.Get(traceparent) != "" {
					for _, k := range tracePropagator.Fields() {
						if v := h.Get(k); v != "" {
							envelope.SetHeader(k, v)
						}
					}
				}
			}
			next(c, target, envelope)
		}
	}
}

// traceparent is the W3C header that marks a traced message.
const traceparent = "traceparent"

// TracingReceiverMiddleware starts a span named "receive <message type>" for
// every traced message the actor receives, as a child of the sender's span,
// and hands the handler that span: TraceContext returns it. Untraced
// messages pass through untouched, so timer ticks and lifecycle messages
// cost nothing.
func TracingReceiverMiddleware(tracer trace.Tracer) actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(c actor.ReceiverContext, envelope *actor.MessageEnvelope) {
			if envelope.GetHeader(traceparent) == "" {
				next(c, envelope)
				return
			}
			parent := tracePropagator.Extract(context.Background(), headerCarrier(envelope.Header))
			ctx, span := tracer.Start(parent, fmt.Sprintf("receive %T", envelope.Message), trace.WithSpanKind(trace.SpanKindConsumer))
			defer span.End()
			header := headerCarrier{}
			for k, v := range envelope.Header {
				header[k] = v
			}
			tracePropagator.Inject(ctx, header)
			next(c, &actor.MessageEnvelope{Header: map[string]string(header), Message: envelope.Message, Sender: envelope.Sender})
		}
	}
}
