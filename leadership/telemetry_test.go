package leadership_test

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// spansNamed returns the ended spans with the given name.
func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, key string) attribute.Value {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

// transitionSpan finds the span recording the transition from -> to.
func transitionSpan(rec *tracetest.SpanRecorder, from, to string) sdktrace.ReadOnlySpan {
	for _, s := range spansNamed(rec, "baton.transition") {
		for _, ev := range s.Events() {
			var f, tt string
			for _, kv := range ev.Attributes {
				switch kv.Key {
				case "from":
					f = kv.Value.AsString()
				case "to":
					tt = kv.Value.AsString()
				}
			}
			if ev.Name == "transition" && f == from && tt == to {
				return s
			}
		}
	}
	return nil
}

func TestTracesOfATerm(t *testing.T) {
	srv := natstest.RunServer(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	system := newSystem(t)
	nc := connect(t, srv.URL())
	cfgA := fastConfig(nc, "traced", "a")
	cfgA.Telemetry.TracerProvider = tp
	probeA, pidA := spawnCandidate(t, system, cfgA)
	promoted := actortest.Expect[*leadership.Promoted](t, probeA, wait)

	acquires := spansNamed(rec, "baton.acquire")
	if len(acquires) != 1 || attr(acquires[0], "baton.outcome").AsString() != "ok" ||
		attr(acquires[0], "baton.term").AsInt64() != int64(promoted.Token.Revision) ||
		attr(acquires[0], "baton.role").AsString() != "traced" || attr(acquires[0], "baton.bucket").AsString() != "baton" ||
		attr(acquires[0], "baton.instance").AsString() != "a" {
		t.Fatalf("acquire spans %v; want one, ok, with bucket, role, instance and term %d", acquires, promoted.Token.Revision)
	}
	toLeader := transitionSpan(rec, "candidate", "leader")
	if toLeader == nil || toLeader.Parent().SpanID() != acquires[0].SpanContext().SpanID() {
		t.Fatalf("candidate->leader transition %v is not a child of the acquire span", toLeader)
	}

	// A second candidate takes over after a graceful stop; its acquisition
	// links to the first term.
	cfgB := fastConfig(nc, "traced", "b")
	cfgB.Telemetry.TracerProvider = tp
	probeB, _ := spawnCandidate(t, system, cfgB)
	awaitLeaderSeen(t, probeB, "a")
	if err := system.Root.PoisonFuture(pidA).Wait(); err != nil {
		t.Fatal(err)
	}
	actortest.Expect[*leadership.Promoted](t, probeB, wait)
	// The release's span ends once its call returns, which may be after the
	// successor has already seen the key freed.
	eventually(t, wait, "the release span of the graceful stop", func() bool { return len(spansNamed(rec, "baton.release")) > 0 })
	var linked bool
	for _, s := range spansNamed(rec, "baton.acquire") {
		if attr(s, "baton.instance").AsString() != "b" || attr(s, "baton.outcome").AsString() != "ok" {
			continue
		}
		for _, l := range s.Links() {
			linked = linked || l.SpanContext.SpanID() == acquires[0].SpanContext().SpanID()
		}
	}
	if !linked {
		t.Fatal("the successor's acquire span does not link to the previous term's acquisition")
	}
}

func TestDemotionByARenewalIsTracedToIt(t *testing.T) {
	srv := natstest.RunServer(t)
	rec := tracetest.NewSpanRecorder()
	system := newSystem(t)
	nc := connect(t, srv.URL())
	cfg := fastConfig(nc, "refused", "a")
	cfg.Telemetry.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	probe, _ := spawnCandidate(t, system, cfg)
	actortest.Expect[*leadership.Promoted](t, probe, wait)
	sealBucket(t, nc)
	if d := actortest.Expect[*leadership.Demoted](t, probe, wait); d.Reason != leadership.ReasonRenewConflict {
		t.Fatalf("demoted for %v, want a refused renewal", d.Reason)
	}
	demotion := transitionSpan(rec, "leader", "follower")
	if demotion == nil {
		t.Fatal("no leader->follower transition span")
	}
	for _, s := range spansNamed(rec, "baton.renew") {
		if s.SpanContext().SpanID() == demotion.Parent().SpanID() {
			if attr(s, "baton.outcome").AsString() != "permanent" {
				t.Fatalf("the renewal behind the demotion has outcome %v", attr(s, "baton.outcome"))
			}
			return
		}
	}
	t.Fatal("the demotion's span is not a child of the refused renewal's span")
}

func strconvU(v uint64) string { return strconv.FormatUint(v, 10) }

func TestMetricsOnPrometheus(t *testing.T) {
	srv := natstest.RunServer(t)
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		t.Fatal(err)
	}
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	system := newSystem(t)
	cfg := fastConfig(connect(t, srv.URL()), "metered", "a")
	cfg.Telemetry.MeterProvider = mp
	e, err := leadership.NewElection(system, cfg)
	if err != nil {
		t.Fatal(err)
	}
	promoted := make(chan struct{})
	e.OnPromote(func(context.Context, leadership.Token) { close(promoted) })
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	select {
	case <-promoted:
	case <-time.After(wait):
		t.Fatal("waited for promotion")
	}
	eventually(t, wait, "a renewal", func() bool {
		st := e.Status()
		return !st.Lease.LastRenewal.IsZero() && st.Lease.LastRenewal.After(st.History.Since)
	})
	if err := e.Resign(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.ValidateToken(context.Background()); err == nil {
		t.Fatal("ValidateToken after resigning succeeded")
	}

	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
		if !strings.HasPrefix(f.GetName(), "election_") {
			continue // the exporter's own target_info
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "role", "instance", "from", "to", "op", "class", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url", "le":
				default:
					t.Errorf("metric %s has unexpected label %s", f.GetName(), l.GetName())
				}
			}
		}
	}
	for _, want := range []string{
		"election_is_leader", "election_transitions_total", "election_heartbeat_duration_seconds",
		"election_leader_duration_seconds", "election_acquire_attempts_total", "election_token_validation_failures_total",
		"election_connection_status", "election_lease_remaining_seconds",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("metric %s missing from the Prometheus scrape; have %v", want, names)
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == "election_is_leader" {
				g := m.Data.(metricdata.Gauge[int64])
				if len(g.DataPoints) != 1 || g.DataPoints[0].Value != 0 {
					t.Errorf("election_is_leader after resigning = %+v, want 0", g.DataPoints)
				}
			}
			if m.Name == "election_transitions" {
				var sum int64
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					sum += dp.Value
				}
				if sum < 2 {
					t.Errorf("election_transitions = %d, want at least promotion and resignation", sum)
				}
			}
		}
	}
}

// logCapture is a slog handler that keeps records.
type logCapture struct {
	mu      *sync.Mutex
	records *[]slog.Record
	attrs   []slog.Attr
}

func newLogCapture() *logCapture {
	return &logCapture{mu: &sync.Mutex{}, records: &[]slog.Record{}}
}

func (c *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCapture) Handle(_ context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(c.attrs...)
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.records = append(*c.records, r)
	return nil
}
func (c *logCapture) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logCapture{mu: c.mu, records: c.records, attrs: append(slices.Clone(c.attrs), attrs...)}
}
func (c *logCapture) WithGroup(string) slog.Handler { return c }

func (c *logCapture) find(msg string) []slog.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []slog.Record
	for _, r := range *c.records {
		if strings.Contains(r.Message, msg) {
			out = append(out, r)
		}
	}
	return out
}

func recordAttrs(r slog.Record) map[string]string {
	m := map[string]string{}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	return m
}

func TestLogs(t *testing.T) {
	srv := natstest.RunServer(t)
	capture := newLogCapture()
	logger := slog.New(capture)
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(leadership.ActorLoggerFactory(logger)),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond)))
	t.Cleanup(system.Shutdown)
	cfg := fastConfig(connect(t, srv.URL()), "logged", "a")
	cfg.Telemetry.Logger = logger
	probe, pid := spawnCandidate(t, system, cfg)
	p := actortest.Expect[*leadership.Promoted](t, probe, wait)
	eventually(t, wait, "a renewal to be logged", func() bool { return len(capture.find("renewed")) > 0 })
	if err := system.Root.PoisonFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}

	transitions := capture.find("transition")
	if len(transitions) == 0 {
		t.Fatal("no transition logged")
	}
	for _, r := range transitions {
		a := recordAttrs(r)
		if r.Level != slog.LevelInfo || a["role"] != "logged" || a["instance"] != "a" || a["term"] == "" {
			t.Errorf("transition record %v %v: want Info with role, instance and term", r.Level, a)
		}
	}
	renewal := capture.find("renewed")[0]
	if a := recordAttrs(renewal); renewal.Level != slog.LevelDebug || a["term"] != strconvU(p.Token.Revision) ||
		!strings.Contains(a["term_id"], p.Token.Nonce) {
		t.Errorf("renewal record %v %v: want Debug with term %d and the term's correlation id", renewal.Level, a, p.Token.Revision)
	}
	if len(capture.find("actor system started")) == 0 {
		t.Error("Proto.Actor's own logs did not reach the handler")
	}
}
