package leadership

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Bucket is the KV bucket that holds the leases, and how it is created
// when it is missing. Elections on one actor system, connection and bucket
// share one store, so they must agree on Replicas.
type Bucket struct {
	// Name is the bucket's name: letters, digits, '-' and '_'. Default
	// "baton".
	Name string
	// Replicas of the bucket when it is created. Default 1; use 3 on a
	// cluster.
	Replicas int
	// NoCreate makes the election fail with ErrBucketNotFound when the
	// bucket is missing, instead of creating it: for users who may not
	// create streams, or who want a missing bucket to be an error.
	NoCreate bool
}

// Health is the health check that keeps an unfit instance from leading.
// Without a Checker there is none, and the other fields do nothing.
type Health struct {
	// Checker, when set, is run every Interval; after FailureThreshold
	// consecutive failures a leader releases its lease and demotes, and a
	// candidate stops campaigning until a check passes.
	Checker HealthChecker
	// Interval is the time between health checks. Default 2s.
	Interval time.Duration
	// FailureThreshold is the number of consecutive failed checks that
	// make this instance unhealthy. Default 3.
	FailureThreshold int
}

// HealthChecker reports whether this instance is fit to lead. Check is
// called every Config.Health.Interval with a context that ends at the next
// check; a non-nil error is a failure.
type HealthChecker interface {
	Check(ctx context.Context) error
}

// HealthCheckFunc adapts a function to HealthChecker.
type HealthCheckFunc func(ctx context.Context) error

// Check calls f.
func (f HealthCheckFunc) Check(ctx context.Context) error { return f(ctx) }

// Succession is how the lease passes from one leader to the next, beyond
// the order of succession that Config.Priority sets.
type Succession struct {
	// PreferredLeader, when set, makes a leader hand its lease over, at its
	// next heartbeat, to a live candidate with a higher priority (the first
	// in the order of succession): placement over stability, at the cost of
	// a change of leader whenever such a candidate joins. Off by default:
	// a leader keeps its lease until it resigns, stops or fails.
	PreferredLeader bool
	// StandBy is how long the candidates that are not first in the order of
	// succession wait, when a lease is freed, for the first to take it;
	// only then do they race for it (with Timings.CampaignJitter), which
	// covers a first successor that is dead or slow. It must outlast the
	// time the followers need to see the successor's acquisition: longer
	// for a role with hundreds of candidates on a busy host. Less than TTL.
	// Default derived: TTL/10, at least DefaultSuccessionStandBy (1s for
	// TTL 10s).
	StandBy time.Duration
	// AwaitWorkStopped makes an election actor spawned with NewProps write
	// the release or offer of a term it ends (a resign, a hand-off, a stop,
	// an unhealthy leader) only once its parent answers the term's Demoted
	// with WorkStopped, so the successor never starts while the old term's
	// work runs. If no answer comes within TTL the lease is left to expire.
	// The Election facade and role managers always wait for OnDemote to
	// return before the release, whatever this says.
	AwaitWorkStopped bool
}

// Requests are the requests the leader answers. Elections run as roles
// answer them (NewElection, NewRoleManager, NewRoleManagerProps); a bare
// NewProps actor does not.
type Requests struct {
	// Serve, when set, answers requests sent with Request to this role's
	// leader: while it leads, the election serves RequestSubject(Bucket.Name,
	// Role) with it, and it stops serving before its Demoted is reported.
	Serve ServeFunc
	// Control makes the leader take requests to resign (RequestResign,
	// `baton resign`) on ResignSubject(Bucket.Name, Role, InstanceID), and
	// to hand over (RequestHandOff) on HandOffSubject, under the same
	// conditions as Serve. Anyone allowed to publish on those subjects can
	// make the leader resign or hand over: restrict them with NATS subject
	// permissions.
	Control bool
}

// Telemetry is where an election's logs, traces and metrics go.
type Telemetry struct {
	// Logger receives structured logs. Default: discard (except the
	// warning about a buffering Conn, see Config.Conn).
	Logger *slog.Logger
	// TracerProvider and MeterProvider default to the OpenTelemetry globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
}
