package leadership

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// One callback reports the lease of every election watching it, each under
// its own labels, and none once it stopped watching.
func TestLeaseGaugeReportsEveryWatchingElection(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	var cache instrumentCache
	in := cache.of(mp)
	watch := func(role string, st *Status) *telemetry {
		tel := &telemetry{instruments: in, labels: newTelemetry(&Config{Role: role, InstanceID: "a"}).labels}
		status := new(atomic.Pointer[Status])
		status.Store(st)
		tel.watchLease(status)
		return tel
	}
	leader := watch("led", &Status{Leading: true, Lease: LeaseStatus{Deadline: time.Now().Add(time.Hour)}})
	follower := watch("followed", &Status{})

	remaining := func() map[string]float64 {
		t.Helper()
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name != "election_lease_remaining" {
					continue
				}
				for _, dp := range m.Data.(metricdata.Gauge[float64]).DataPoints {
					role, _ := dp.Attributes.Value(attribute.Key("role"))
					got[role.AsString()] = dp.Value
				}
			}
		}
		return got
	}
	got := remaining()
	if len(got) != 2 || got["led"] < 3500 || got["followed"] != 0 {
		t.Fatalf("lease remaining %v, want about an hour for led and 0 for followed", got)
	}
	follower.unwatchLease()
	leader.unwatchLease()
	leader.unwatchLease() // a second stop changes nothing
	if got := remaining(); len(got) != 0 {
		t.Fatalf("lease remaining %v after both stopped watching, want none", got)
	}
}
