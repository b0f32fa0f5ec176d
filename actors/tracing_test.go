package actors_test

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/actors/actortest"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// seen is what the relay's last hop saw: the trace it was handed.
type seen struct{ span trace.SpanContext }

// TestTraceTravelsThroughActors sends a traced message to a relay actor that
// forwards it to a sink; the sink must see the sender's trace, with the
// relay's receive span in between.
func TestTraceTravelsThroughActors(t *testing.T) {
	ended := make(chan sdktrace.ReadOnlySpan, 16)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(endedSpans(ended)))
	tracer := tp.Tracer("test")
	system := actortest.NewSystem(t)
	probe := actortest.NewProbe(t, system)

	sink := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(string); ok {
			ctx.Send(probe.PID(), &seen{span: trace.SpanContextFromContext(actors.TraceContext(ctx))})
		}
	}))
	relay := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if msg, ok := ctx.Message().(string); ok {
			ctx.Send(sink, msg) // no context passed by hand
		}
	}, actor.WithReceiverMiddleware(actors.TracingReceiverMiddleware(tracer)),
		actor.WithSenderMiddleware(actors.TracingSenderMiddleware())))
	t.Cleanup(func() {
		_ = system.Root.PoisonFuture(relay).Wait()
		_ = system.Root.PoisonFuture(sink).Wait()
	})

	ctx, root := tracer.Start(context.Background(), "operation")
	actors.SendTraced(system.Root, ctx, relay, "hello")
	root.End()

	got := actortest.Expect[*seen](t, probe, 2*time.Second)
	if got.span.TraceID() != root.SpanContext().TraceID() {
		t.Fatalf("sink saw trace %v, want the sender's %v", got.span.TraceID(), root.SpanContext().TraceID())
	}
	// The relay's span ends when its Receive returns, which may be after
	// the sink has already answered.
	receive := awaitEnded(t, ended, "receive string", 2*time.Second)
	if receive.Parent().SpanID() != root.SpanContext().SpanID() {
		t.Fatalf("relay's receive span missing or not a child of the operation: %v", receive)
	}
	if got.span.SpanID() != receive.SpanContext().SpanID() {
		t.Fatalf("sink's parent %v is not the relay's receive span %v", got.span.SpanID(), receive.SpanContext().SpanID())
	}
}

// endedSpans is a span processor that hands every ended span to ended.
type endedSpans chan<- sdktrace.ReadOnlySpan

func (endedSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (e endedSpans) OnEnd(s sdktrace.ReadOnlySpan)                 { e <- s }
func (endedSpans) Shutdown(context.Context) error                  { return nil }
func (endedSpans) ForceFlush(context.Context) error                { return nil }

// awaitEnded waits up to timeout for a span named name to end.
func awaitEnded(t *testing.T, ended <-chan sdktrace.ReadOnlySpan, name string, timeout time.Duration) sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case s := <-ended:
			if s.Name() == name {
				return s
			}
		case <-deadline:
			t.Fatalf("waited %v for span %q to end", timeout, name)
		}
	}
}

func TestUntracedMessagesCarryNoTrace(t *testing.T) {
	system := actortest.NewSystem(t)
	probe := actortest.NewProbe(t, system)
	pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(string); ok {
			ctx.Send(probe.PID(), &seen{span: trace.SpanContextFromContext(actors.TraceContext(ctx))})
		}
	}))
	t.Cleanup(func() { _ = system.Root.PoisonFuture(pid).Wait() })
	actors.SendTraced(system.Root, context.Background(), pid, "plain")
	if got := actortest.Expect[*seen](t, probe, 2*time.Second); got.span.IsValid() {
		t.Fatalf("untraced message yielded span context %v", got.span)
	}
}
