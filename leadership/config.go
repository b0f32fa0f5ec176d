package leadership

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Defaults for Config's zero fields. The timings RenewDeadline,
// HeartbeatInterval, DisconnectGrace, OpTimeout and PollInterval are derived
// from TTL (see Config.Timings); the values below are what DefaultTTL
// derives. With them a leader renews every 2s, demotes itself 7s after the
// last renewal it sent that succeeded, and the server frees its key 10s
// after that renewal: a crashed leader is replaced within about TTL.
const (
	DefaultBucket                 = "baton"
	DefaultTTL                    = 10 * time.Second
	DefaultHeartbeatInterval      = 2 * time.Second
	DefaultRenewDeadline          = 7 * time.Second
	DefaultDisconnectGrace        = 5 * time.Second
	DefaultMaxClockDrift          = 0.05
	DefaultMaxServerClockSkew     = 100 * time.Millisecond
	DefaultHealthInterval         = 2 * time.Second
	DefaultHealthFailureThreshold = 3
	DefaultCampaignJitter         = 25 * time.Millisecond
	DefaultRetryInitialInterval   = 100 * time.Millisecond
	DefaultRetryMaxInterval       = 5 * time.Second
	DefaultResignHoldOff          = time.Second
	DefaultOpTimeout              = 2 * time.Second
	DefaultPollInterval           = 2 * time.Second
	DefaultReplicas               = 1
	DefaultBreakerThreshold       = 5
	DefaultBreakerCooldown        = 10 * time.Second
	DefaultSuccessionStandBy      = 250 * time.Millisecond
)

// None turns off CampaignJitter, ResignHoldOff, MaxClockDrift or
// MaxServerClockSkew. Their zero
// value means "the default", as for every Config field, so turning one off
// needs a value of its own; -1 cannot be a valid setting of any of them (all
// must otherwise be non-negative), which keeps the zero value useful and the
// intent explicit, as nats.ReconnectBufSize(-1) does for the reconnect
// buffer.
const None = -1

// SafetyMargin is kept between a leader's RenewDeadline and the earliest
// moment the server could free its key, for the time a renewal spends in
// flight before the server stamps it.
const SafetyMargin = 500 * time.Millisecond

// HealthChecker reports whether this instance is fit to lead. Check is
// called every Config.HealthInterval with a context that ends at the next
// check; a non-nil error is a failure.
type HealthChecker interface {
	Check(ctx context.Context) error
}

// HealthCheckFunc adapts a function to HealthChecker.
type HealthCheckFunc func(ctx context.Context) error

// Check calls f.
func (f HealthCheckFunc) Check(ctx context.Context) error { return f(ctx) }

// Config configures one election. Zero fields take the defaults above, and
// the timings left zero are derived from TTL, so Config{Conn, Role, TTL} is
// complete for any valid TTL; Validate checks the result as a whole.
type Config struct {
	// Conn is the NATS connection. Required. For elections, configure it
	// with nats.ReconnectBufSize(-1) so writes are never buffered during a
	// disconnect and replayed after it; NewProps and NewElection log a
	// warning (to Logger, or slog.Default() without one) when it buffers.
	Conn *nats.Conn
	// Bucket is the KV bucket holding the leases. Default "baton".
	Bucket string
	// Replicas of the bucket when it is created. Default 1; use 3 on a
	// cluster.
	Replicas int
	// NoCreateBucket makes the election fail with ErrBucketNotFound when the
	// bucket is missing, instead of creating it: for users who may not
	// create streams, or who want a missing bucket to be an error.
	NoCreateBucket bool
	// Role is the name contested, used as the KV key: letters, digits and
	// "-/_=.", with '.' neither first nor last nor doubled. Required.
	Role string
	// InstanceID names this candidate in leases, tokens and logs. Default:
	// hostname-pid-random. Must not contain '/'.
	InstanceID string
	// Priority places this candidate in the order of succession: highest
	// first, then the longest registered. When a lease is freed, the first
	// live candidate in that order takes it at once; Resign hands the lease
	// to it. Priority also shortens the jitter of the fallback race (it is
	// divided by 1+Priority). Default 0.
	Priority int
	// PreferredLeader, when set, makes a leader hand its lease over, at its
	// next heartbeat, to a live candidate with a higher priority (the first
	// in the order of succession): placement over stability, at the cost of
	// a change of leader whenever such a candidate joins. Off by default:
	// a leader keeps its lease until it resigns, stops or fails.
	PreferredLeader bool
	// SuccessionStandBy is how long the candidates that are not first in the
	// order of succession wait, when a lease is freed, for the first to take
	// it; only then do they race for it (with CampaignJitter), which covers a
	// first successor that is dead or slow. It must outlast the time the
	// followers need to see the successor's acquisition: longer for a role
	// with hundreds of candidates on a busy host. Less than TTL. Default
	// derived: TTL/10, at least DefaultSuccessionStandBy (1s for TTL 10s).
	SuccessionStandBy time.Duration
	// TTL is the lease's time to live on the server: a whole number of
	// seconds, at least 1s. Default 10s.
	TTL time.Duration
	// Sessions keeps the lease with a session instead of a TTL of its own:
	// every election on the same actor system, connection and bucket shares
	// one session key, renewed once per HeartbeatInterval with TTL as its
	// time to live, so N leaders cost one write per heartbeat instead of N.
	// A lease is held while its session lives; another candidate takes it
	// over only once the server has let the session go (see
	// docs/design.md, "Sessions"). Elections sharing a store must agree on
	// Sessions, TTL and HeartbeatInterval. Needs nats-server 2.12 or newer
	// and the right to enable atomic publish on the bucket's stream.
	Sessions bool
	// HeartbeatInterval is how often the leader renews. At most
	// RenewDeadline/3. Default derived: RenewDeadline*2/7 (2s for TTL 10s).
	HeartbeatInterval time.Duration
	// RenewDeadline is how long after sending its last successful renewal a
	// leader keeps leading. At most TTL*(1-2*MaxClockDrift) - SafetyMargin,
	// so the leader gives up before the server could free its key.
	// Default derived from TTL (7s for TTL 10s; see Config.Timings).
	RenewDeadline time.Duration
	// DisconnectGrace is how long a leader that lost its connection waits
	// for it to return before it demotes. At most RenewDeadline (which
	// applies anyway). Default derived: RenewDeadline - HeartbeatInterval
	// (5s for TTL 10s).
	DisconnectGrace time.Duration
	// MaxClockDrift is the largest relative rate difference assumed between
	// this host's clock and the server's, in [0, 0.2]. Default 0.05; None
	// assumes none.
	MaxClockDrift float64
	// MaxServerClockSkew bounds how much earlier than its TTL the servers
	// can expire a key because of their wall clocks: a key expires when the
	// wall clock of the node leading the stream passes the stamp the node
	// that stored it gave it plus the TTL, so a forward step of a server's
	// clock, or an offset between two servers across a change of stream
	// leader, shortens every lease by that much. The renew deadline keeps
	// this much room. Servers should keep time with slew-only sync (chrony
	// or ntpd without steps), which keeps their offsets to milliseconds.
	// At least 0 and less than TTL/2. Default 100ms; None assumes none.
	MaxServerClockSkew time.Duration
	// WorkStopBudget is how long the leader's work may take to stop once
	// its term ends (OnPromote's context is cancelled, Demoted is sent):
	// the leader demotes itself this much earlier, so its work has stopped
	// before the server can give the lease to another. A planned handover
	// (Resign, HandOff, Stop) waits for the work anyway (see
	// AwaitWorkStopped); the budget covers the demotions that cannot
	// wait, such as a lost connection or a missed deadline. Default 0: the
	// work must stop at once, within SafetyMargin.
	WorkStopBudget time.Duration
	// AwaitWorkStopped makes an election actor spawned with NewProps write
	// the release or offer of a term it ends (a resign, a hand-off, a stop,
	// an unhealthy leader) only once its parent answers the term's Demoted
	// with WorkStopped, so the successor never starts while the old term's
	// work runs. If no answer comes within TTL the lease is left to expire.
	// The Election facade and role managers always wait for OnDemote to
	// return before the release, whatever this says.
	AwaitWorkStopped bool
	// Clock is the election's time source: the time of its decisions, its
	// timers and Status.IsLeader. Nil means real time, which is what a
	// program wants; another clock exists for tests and fault injection,
	// where a clock running faster or slower than real time shows what
	// clock drift does to the election.
	Clock Clock
	// HealthChecker, when set, is run every HealthInterval; after
	// HealthFailureThreshold consecutive failures a leader releases its
	// lease and demotes, and a candidate stops campaigning until a check
	// passes.
	HealthChecker HealthChecker
	// HealthInterval is the time between health checks. Default 2s.
	HealthInterval time.Duration
	// HealthFailureThreshold is the number of consecutive failed checks that
	// make this instance unhealthy. Default 3.
	HealthFailureThreshold int
	// CampaignJitter spreads the candidates that wake on a freed lease so
	// they do not all write at once. Default 25ms; None campaigns at once.
	CampaignJitter time.Duration
	// RetryInitialInterval and RetryMaxInterval bound the exponential
	// backoff between acquisition attempts that failed for a reason other
	// than losing the race. Defaults 100ms and 5s.
	RetryInitialInterval time.Duration
	RetryMaxInterval     time.Duration
	// BreakerThreshold is how many acquisition attempts in a row may fail
	// (for any reason but losing the race) before the circuit breaker opens
	// and stops attempts for BreakerCooldown. Default 5.
	BreakerThreshold int
	// BreakerCooldown is how long an open breaker stops attempts; then one
	// trial attempt closes it or opens it again. Default 10s.
	BreakerCooldown time.Duration
	// ResignHoldOff is how long a candidate that resigned waits before it
	// campaigns again, so another can take over. Default 1s; None campaigns
	// again at once.
	ResignHoldOff time.Duration
	// OpTimeout bounds each NATS operation, and opening the bucket. At most
	// RenewDeadline. Default derived: HeartbeatInterval, at most 2s.
	OpTimeout time.Duration
	// PollInterval is how often the store checks that its watch keeps up,
	// as a backstop for a stalled watch: one read of the stream's last
	// revision, and a re-list of the bucket when the watch is behind (and
	// at every tenth check). A candidate that lost a race and still sees
	// the key free campaigns again after it. Default derived: TTL/5 (2s
	// for TTL 10s).
	PollInterval time.Duration
	// Logger receives structured logs. Default: discard (except the
	// warning about a buffering Conn, see Conn).
	Logger *slog.Logger
	// TracerProvider and MeterProvider default to the OpenTelemetry globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	// Serve, when set, answers requests sent with Request to this role's
	// leader: while it leads, the election serves RequestSubject(Bucket,
	// Role) with it, and it stops serving before its Demoted is reported.
	// Elections run as roles serve it (NewElection, NewRoleManager,
	// NewRoleManagerProps); a bare NewProps actor does not.
	Serve ServeFunc
	// Control makes the leader take requests to resign (RequestResign,
	// `baton resign`) on ResignSubject(Bucket, Role, InstanceID), under the
	// same conditions as Serve. Anyone allowed to publish on that subject can
	// make the leader resign: restrict it with NATS subject permissions.
	Control bool
}

// DefaultConfig returns a Config with every default filled in except the
// timings derived from TTL, which stay zero so that a TTL set on it derives
// them (Config.Timings shows them); set Conn and Role before use.
func DefaultConfig() Config {
	c := Config{}.withDefaults()
	c.RenewDeadline, c.HeartbeatInterval, c.DisconnectGrace, c.OpTimeout, c.PollInterval = 0, 0, 0, 0, 0
	c.SuccessionStandBy = 0
	return c
}

// withDefaults fills zero fields, derives the timings and turns None into
// zero.
func (c Config) withDefaults() Config {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	noneOr := func(d *time.Duration, def time.Duration) {
		switch *d {
		case 0:
			*d = def
		case None:
			*d = 0
		}
	}
	if c.Bucket == "" {
		c.Bucket = DefaultBucket
	}
	if c.Replicas == 0 {
		c.Replicas = DefaultReplicas
	}
	if c.InstanceID == "" {
		c.InstanceID = defaultInstanceID()
	}
	t := c.Timings()
	c.TTL, c.MaxClockDrift, c.MaxServerClockSkew = t.TTL, t.MaxClockDrift, t.MaxServerClockSkew
	c.RenewDeadline, c.HeartbeatInterval, c.DisconnectGrace = t.RenewDeadline, t.HeartbeatInterval, t.DisconnectGrace
	c.OpTimeout, c.PollInterval = t.OpTimeout, t.PollInterval
	setDur(&c.HealthInterval, DefaultHealthInterval)
	noneOr(&c.CampaignJitter, DefaultCampaignJitter)
	setDur(&c.RetryInitialInterval, DefaultRetryInitialInterval)
	setDur(&c.RetryMaxInterval, DefaultRetryMaxInterval)
	noneOr(&c.ResignHoldOff, DefaultResignHoldOff)
	setDur(&c.BreakerCooldown, DefaultBreakerCooldown)
	setDur(&c.SuccessionStandBy, max(DefaultSuccessionStandBy, c.TTL/10))
	if c.BreakerThreshold == 0 {
		c.BreakerThreshold = DefaultBreakerThreshold
	}
	if c.HealthFailureThreshold == 0 {
		c.HealthFailureThreshold = DefaultHealthFailureThreshold
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate fills defaults and checks the config, returning an error that
// wraps ErrInvalidConfig and names every field at fault (errors.Join of one
// error per field). A field checked against another that is itself invalid
// is checked once that one is fixed.
func (c Config) Validate() error {
	_, err := c.resolved()
	return err
}

// resolve fills defaults and validates, for the constructors: unlike
// Validate it also warns about hazards that are not errors.
func (c Config) resolve() (Config, error) {
	r, err := c.resolved()
	if err == nil {
		r.warnHazards(c.Logger)
	}
	return r, err
}

// resolved fills defaults and validates.
func (c Config) resolved() (Config, error) {
	c = c.withDefaults()
	return c, c.validate()
}

// openStore opens the lease store the config names.
func (c Config) openStore(ctx context.Context) (*transport.JetStreamStore, error) {
	return transport.Open(ctx, c.Conn, transport.Options{
		Bucket:       transport.BucketConfig{Name: c.Bucket, Replicas: c.Replicas, NoCreate: c.NoCreateBucket},
		PollInterval: c.PollInterval,
		OpTimeout:    c.OpTimeout,
		Session:      c.sessionOptions(),
	})
}

// sessionOptions are the store's session settings: off unless Sessions.
func (c Config) sessionOptions() transport.SessionOptions {
	if !c.Sessions {
		return transport.SessionOptions{}
	}
	return transport.SessionOptions{TTL: c.TTL, Renew: c.HeartbeatInterval, ProofWindow: c.RenewDeadline}
}

// defaultInstanceID is hostname-pid-random: readable in logs and unique
// across restarts of the same process on the same host.
func defaultInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	host = strings.NewReplacer("/", "-", " ", "-").Replace(host)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomHex(3))
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
