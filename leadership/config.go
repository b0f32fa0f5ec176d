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

// Defaults for Config's zero fields. With them a leader renews every 2s,
// demotes itself 7s after the last renewal it sent that succeeded, and the
// server frees its key 10s after that renewal: a crashed leader is replaced
// within about TTL.
const (
	DefaultBucket                 = "baton"
	DefaultTTL                    = 10 * time.Second
	DefaultHeartbeatInterval      = 2 * time.Second
	DefaultRenewDeadline          = 7 * time.Second
	DefaultDisconnectGrace        = 5 * time.Second
	DefaultMaxClockDrift          = 0.05
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
)

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

// Config configures one election. Zero fields take the defaults above;
// Validate checks the result as a whole.
type Config struct {
	// Conn is the NATS connection. Required. For elections, configure it
	// with nats.ReconnectBufSize(-1) so renewals are never buffered during a
	// disconnect and replayed after it.
	Conn *nats.Conn
	// Bucket is the KV bucket holding the leases. Default "baton".
	Bucket string
	// Replicas of the bucket when it is created. Default 1; use 3 on a
	// cluster.
	Replicas int
	// Role is the name contested, used as the KV key: letters, digits and
	// "-/_=." (not at either end). Required.
	Role string
	// InstanceID names this candidate in leases, tokens and logs. Default:
	// hostname-pid-random. Must not contain '/'.
	InstanceID string
	// Priority is reported in the lease; when a lease is freed, candidates
	// with a higher priority campaign sooner (their jitter is divided by
	// 1+Priority). Default 0.
	Priority int
	// TTL is the lease's time to live on the server: a whole number of
	// seconds, at least 1s. Default 10s.
	TTL time.Duration
	// HeartbeatInterval is how often the leader renews. At most
	// RenewDeadline/3. Default 2s.
	HeartbeatInterval time.Duration
	// RenewDeadline is how long after sending its last successful renewal a
	// leader keeps leading. At most TTL*(1-2*MaxClockDrift) - SafetyMargin,
	// so the leader gives up before the server could free its key.
	// Default 7s.
	RenewDeadline time.Duration
	// DisconnectGrace is how long a leader that lost its connection waits
	// for it to return before it demotes. At most RenewDeadline (which
	// applies anyway). Default 5s.
	DisconnectGrace time.Duration
	// MaxClockDrift is the largest relative rate difference assumed between
	// this host's clock and the server's, in [0, 0.2]. Default 0.05.
	MaxClockDrift float64
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
	// they do not all write at once. Default 25ms.
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
	// campaigns again, so another can take over. Default 1s.
	ResignHoldOff time.Duration
	// OpTimeout bounds each NATS operation. Default 2s; at most
	// RenewDeadline.
	OpTimeout time.Duration
	// PollInterval is how often the watched key is also read, as a backstop
	// for a stalled watch. Default 2s.
	PollInterval time.Duration
	// Logger receives structured logs. Default: discard.
	Logger *slog.Logger
	// TracerProvider and MeterProvider default to the OpenTelemetry globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
}

// DefaultConfig returns a Config with every default filled in; set Conn and
// Role before use.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
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
	setDur(&c.TTL, DefaultTTL)
	setDur(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	setDur(&c.RenewDeadline, DefaultRenewDeadline)
	setDur(&c.DisconnectGrace, DefaultDisconnectGrace)
	setDur(&c.HealthInterval, DefaultHealthInterval)
	setDur(&c.CampaignJitter, DefaultCampaignJitter)
	setDur(&c.RetryInitialInterval, DefaultRetryInitialInterval)
	setDur(&c.RetryMaxInterval, DefaultRetryMaxInterval)
	setDur(&c.ResignHoldOff, DefaultResignHoldOff)
	setDur(&c.OpTimeout, DefaultOpTimeout)
	setDur(&c.PollInterval, DefaultPollInterval)
	setDur(&c.BreakerCooldown, DefaultBreakerCooldown)
	if c.BreakerThreshold == 0 {
		c.BreakerThreshold = DefaultBreakerThreshold
	}
	if c.MaxClockDrift == 0 {
		c.MaxClockDrift = DefaultMaxClockDrift
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
// wraps ErrInvalidConfig and names the first field at fault.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

// resolve fills defaults and validates.
func (c Config) resolve() (Config, error) {
	c = c.withDefaults()
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
	}
	maxDeadline := time.Duration(float64(c.TTL)*(1-2*c.MaxClockDrift)) - SafetyMargin
	switch {
	case c.Conn == nil:
		return c, bad("Conn", "a NATS connection is required")
	case !transport.ValidRole(c.Role):
		return c, bad("Role", "%q must be non-empty letters, digits and -/_=. (not at either end, no '..')", c.Role)
	case !transport.ValidBucketName(c.Bucket):
		return c, bad("Bucket", "%q must be non-empty letters, digits, '-' and '_'", c.Bucket)
	case strings.ContainsAny(c.InstanceID, "/ \t\n"):
		return c, bad("InstanceID", "%q must not contain '/' or whitespace", c.InstanceID)
	case c.Replicas < 1 || c.Replicas > 5:
		return c, bad("Replicas", "%d must be between 1 and 5", c.Replicas)
	case c.Priority < 0:
		return c, bad("Priority", "%d must not be negative", c.Priority)
	case c.MaxClockDrift < 0 || c.MaxClockDrift > 0.2:
		return c, bad("MaxClockDrift", "%v must be in [0, 0.2]", c.MaxClockDrift)
	case c.TTL < time.Second || c.TTL%time.Second != 0:
		return c, bad("TTL", "%v must be a whole number of seconds, at least 1s (the server's TTL granularity)", c.TTL)
	case c.RenewDeadline <= 0 || c.RenewDeadline > maxDeadline:
		return c, bad("RenewDeadline", "%v must be positive and at most TTL*(1-2*MaxClockDrift) - %v = %v, so the leader gives up before the server frees its key",
			c.RenewDeadline, SafetyMargin, maxDeadline)
	case c.HeartbeatInterval <= 0 || c.HeartbeatInterval > c.RenewDeadline/3:
		return c, bad("HeartbeatInterval", "%v must be positive and at most RenewDeadline/3 = %v, so two renewals can fail before the deadline",
			c.HeartbeatInterval, c.RenewDeadline/3)
	case c.DisconnectGrace <= 0 || c.DisconnectGrace > c.RenewDeadline:
		return c, bad("DisconnectGrace", "%v must be positive and at most RenewDeadline %v", c.DisconnectGrace, c.RenewDeadline)
	case c.OpTimeout <= 0 || c.OpTimeout > c.RenewDeadline:
		return c, bad("OpTimeout", "%v must be positive and at most RenewDeadline %v", c.OpTimeout, c.RenewDeadline)
	case c.HealthInterval <= 0:
		return c, bad("HealthInterval", "%v must be positive", c.HealthInterval)
	case c.HealthFailureThreshold < 1:
		return c, bad("HealthFailureThreshold", "%d must be at least 1", c.HealthFailureThreshold)
	case c.CampaignJitter < 0:
		return c, bad("CampaignJitter", "%v must not be negative", c.CampaignJitter)
	case c.RetryInitialInterval <= 0 || c.RetryMaxInterval < c.RetryInitialInterval:
		return c, bad("RetryInitialInterval", "%v must be positive and at most RetryMaxInterval %v", c.RetryInitialInterval, c.RetryMaxInterval)
	case c.ResignHoldOff < 0:
		return c, bad("ResignHoldOff", "%v must not be negative", c.ResignHoldOff)
	case c.BreakerThreshold < 1:
		return c, bad("BreakerThreshold", "%d must be at least 1", c.BreakerThreshold)
	case c.BreakerCooldown <= 0:
		return c, bad("BreakerCooldown", "%v must be positive", c.BreakerCooldown)
	case c.PollInterval <= 0:
		return c, bad("PollInterval", "%v must be positive", c.PollInterval)
	}
	return c, nil
}

// openStore opens the lease store the config names.
func (c Config) openStore(ctx context.Context) (*transport.JetStreamStore, error) {
	return transport.Open(ctx, c.Conn, transport.Options{
		Bucket:       transport.BucketConfig{Name: c.Bucket, Replicas: c.Replicas},
		PollInterval: c.PollInterval,
		OpTimeout:    c.OpTimeout,
	})
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
