package leadership

import (
	"context"
	"sync/atomic"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// instrumentationName names Baton's tracer and meter.
const instrumentationName = "github.com/batonhq/baton/leadership"

// Span and attribute names.
const (
	spanAcquire    = "baton.acquire"
	spanRenew      = "baton.renew"
	spanRelease    = "baton.release"
	spanValidate   = "baton.validate"
	spanTransition = "baton.transition"

	attrBucket   = attribute.Key("baton.bucket")
	attrRole     = attribute.Key("baton.role")
	attrInstance = attribute.Key("baton.instance")
	attrTerm     = attribute.Key("baton.term")
	attrOutcome  = attribute.Key("baton.outcome")
	attrFrom     = attribute.Key("from")
	attrTo       = attribute.Key("to")
	attrCause    = attribute.Key("cause")
)

// telemetry is one election's traces and metrics, on the providers from
// Config (default: the OpenTelemetry globals). Metric labels are role and
// instance, plus small fixed sets (states, operations, error classes);
// nothing unbounded. The instruments are the meter provider's, shared with
// every election on it; an election keeps only what names it.
type telemetry struct {
	*instruments
	tracer trace.Tracer
	labels metric.MeasurementOption
	// bucket, role and instance go on every span.
	bucket, role, instance string

	// status is the latest status, whose lease the gauge reports while
	// the election is in the instruments' leases (watchLease), linked
	// there by prev and next.
	status     *atomic.Pointer[Status]
	watched    bool
	prev, next *telemetry
}

// newTelemetry returns the telemetry of an election with cfg.
func newTelemetry(cfg *Config) *telemetry {
	tp, mp := cfg.Telemetry.TracerProvider, cfg.Telemetry.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return &telemetry{
		instruments: sharedInstruments.of(mp),
		tracer:      tp.Tracer(instrumentationName),
		labels:      metric.WithAttributes(attribute.String("role", cfg.Role), attribute.String("instance", cfg.InstanceID)),
		bucket:      cfg.Bucket.Name,
		role:        cfg.Role,
		instance:    cfg.InstanceID,
	}
}

// watchLease reports the lease's remaining time from the latest status
// until unwatchLease.
func (t *telemetry) watchLease(status *atomic.Pointer[Status]) {
	if !t.watched {
		t.status, t.watched = status, true
		t.leases.add(t)
	}
}

// unwatchLease stops reporting the lease's remaining time.
func (t *telemetry) unwatchLease() {
	if t.watched {
		t.leases.remove(t)
		t.watched = false
	}
}

// startOp starts the span of a lease operation.
func (t *telemetry) startOp(ctx context.Context, name string, term uint64, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	opts = append(opts, trace.WithAttributes(attrBucket.String(t.bucket), attrRole.String(t.role), attrInstance.String(t.instance), attrTerm.Int64(int64(term))))
	return t.tracer.Start(ctx, name, opts...)
}

// endOp records an operation's outcome on its span and counts a failure.
func (t *telemetry) endOp(ctx context.Context, span trace.Span, op string, err error) {
	class := transport.ClassOf(err)
	outcome := "ok"
	if err != nil {
		outcome = class.String()
		// Losing the race for a lease is the normal answer to a follower's
		// attempt, not a failure; a conflict on a renewal or release is.
		lostRace := op == "acquire" && class == transport.ClassConflict
		if !lostRace {
			span.SetStatus(codes.Error, err.Error())
			t.failures.Add(ctx, 1, t.labels, metric.WithAttributes(attribute.String("op", op), attribute.String("class", class.String())))
		}
	}
	span.SetAttributes(attrOutcome.String(outcome))
	span.End()
}

// transition records a state change as a span event, linked to the trace of
// the operation that caused it when the causing message carried one.
func (t *telemetry) transition(ctx context.Context, tr fsm.Transition, term uint64) {
	_, span := t.startOp(ctx, spanTransition, term)
	span.AddEvent("transition", trace.WithAttributes(
		attrFrom.String(string(tr.From)), attrTo.String(string(tr.To)), attrCause.String(string(tr.Event))))
	span.End()
	t.transitions.Add(ctx, 1, t.labels, metric.WithAttributes(attrFrom.String(string(tr.From)), attrTo.String(string(tr.To))))
	leading := int64(0)
	if tr.To == fsm.StateLeader {
		leading = 1
	}
	t.isLeader.Record(ctx, leading, t.labels)
}

// connected records the connection state.
func (t *telemetry) connected(up bool) {
	v := int64(0)
	if up {
		v = 1
	}
	t.connection.Record(context.Background(), v, t.labels)
}

// traceparent returns the W3C traceparent of ctx's span ("" if none), for
// the lease record.
func traceparent(ctx context.Context) string {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	return carrier["traceparent"]
}

// linkTo returns a span link to the span named by a traceparent, if valid.
func linkTo(parent string, kind string) []trace.SpanStartOption {
	if parent == "" {
		return nil
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{"traceparent": parent})
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return nil
	}
	return []trace.SpanStartOption{trace.WithLinks(trace.Link{SpanContext: sc, Attributes: []attribute.KeyValue{attribute.String("baton.link", kind)}})}
}
