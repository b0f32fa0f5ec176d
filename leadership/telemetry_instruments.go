package leadership

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// instruments are Baton's metric instruments on one meter provider, made
// once and shared by every election that reports to it: an election's own
// labels tell its measurements apart.
type instruments struct {
	provider metric.MeterProvider
	meter    metric.Meter

	isLeader       metric.Int64Gauge
	transitions    metric.Int64Counter
	failures       metric.Int64Counter
	heartbeat      metric.Float64Histogram
	leaderDuration metric.Float64Histogram
	attempts       metric.Int64Counter
	tokenFailures  metric.Int64Counter
	connection     metric.Int64Gauge
	leaseRemaining metric.Float64ObservableGauge
	// leases are the elections leaseRemaining reports.
	leases leaseWatches
}

// instrumentCache keeps the instruments made last. A program reports to
// one meter provider as a rule, so keeping the last shares them between
// all its elections; keeping only the last lets a provider the program
// replaced be collected.
type instrumentCache struct {
	last atomic.Pointer[instruments]
}

// sharedInstruments is the cache every election takes its instruments from.
var sharedInstruments instrumentCache

// of returns the instruments on mp, made unless they are the last ones
// made.
func (c *instrumentCache) of(mp metric.MeterProvider) *instruments {
	if last := c.last.Load(); last != nil && sameProvider(last.provider, mp) {
		return last
	}
	in := newInstruments(mp)
	c.last.Store(in)
	return in
}

// sameProvider reports whether a and b are the same provider. A provider
// of a type that cannot be compared (a struct holding a slice, say) is
// never the same: comparing it would panic.
func sameProvider(a, b metric.MeterProvider) bool {
	ta := reflect.TypeOf(a)
	return ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// newInstruments creates the instruments on mp. An instrument the provider
// refuses is replaced by a no-op one (the OpenTelemetry API returns one
// with the error), so telemetry never stops an election.
func newInstruments(mp metric.MeterProvider) *instruments {
	meter := mp.Meter(instrumentationName)
	in := &instruments{provider: mp, meter: meter}
	var errs []error
	collect := func(err error) { errs = append(errs, err) }
	var err error
	in.isLeader, err = meter.Int64Gauge("election_is_leader", metric.WithDescription("1 while this candidate leads the role, else 0"))
	collect(err)
	in.transitions, err = meter.Int64Counter("election_transitions", metric.WithDescription("Election state changes, by from and to state"))
	collect(err)
	in.failures, err = meter.Int64Counter("election_failures", metric.WithDescription("Failed lease operations, by operation and error class"))
	collect(err)
	in.heartbeat, err = meter.Float64Histogram("election_heartbeat_duration", metric.WithUnit("s"),
		metric.WithDescription("Round trip of lease renewals"),
		metric.WithExplicitBucketBoundaries(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
	collect(err)
	in.leaderDuration, err = meter.Float64Histogram("election_leader_duration", metric.WithUnit("s"),
		metric.WithDescription("Length of leadership terms, recorded when a term ends"),
		metric.WithExplicitBucketBoundaries(1, 5, 15, 30, 60, 300, 900, 3600, 4*3600, 24*3600))
	collect(err)
	in.attempts, err = meter.Int64Counter("election_acquire_attempts", metric.WithDescription("Lease acquisition attempts"))
	collect(err)
	in.tokenFailures, err = meter.Int64Counter("election_token_validation_failures",
		metric.WithDescription("ValidateToken calls that found the token stale or the candidate not leading"))
	collect(err)
	in.connection, err = meter.Int64Gauge("election_connection_status", metric.WithDescription("1 while the NATS connection is up, else 0"))
	collect(err)
	in.leaseRemaining, err = meter.Float64ObservableGauge("election_lease_remaining", metric.WithUnit("s"),
		metric.WithDescription("Time left before the leader demotes itself unless a renewal succeeds; 0 when not leading"))
	collect(err)
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		in.leases.observe(o, in.leaseRemaining)
		return nil
	}, in.leaseRemaining)
	collect(err)
	if err := errors.Join(errs...); err != nil {
		otel.Handle(err)
	}
	return in
}
