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
)

// Defaults for Config's zero fields. The timings RenewDeadline,
// HeartbeatInterval, DisconnectGrace, OpTimeout and PollInterval are derived
// from TTL (see Config.EffectiveTimings); the values below are what DefaultTTL
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

// None turns off Timings.CampaignJitter, Timings.ResignHoldOff,
// Timings.MaxClockDrift or Timings.MaxServerClockSkew. Their zero
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

// Config configures one election. Its first fields are the ones most
// elections set; the groups after them hold the rest. Zero fields, in the
// groups too, take the defaults above, and the timings left zero are
// derived from TTL, so Config{Conn, Role, TTL} is complete for any valid
// TTL; Validate checks the result as a whole.
//
// Config holds no callbacks: an election spawned with NewProps reports to
// its parent actor, the Election facade takes OnPromote, OnDemote and
// OnError through its methods, and a RoleSpec carries them beside its
// Config.
type Config struct {
	// Conn is the NATS connection. Required. For elections, configure it
	// with nats.ReconnectBufSize(-1) so writes are never buffered during a
	// disconnect and replayed after it; NewProps and NewElection log a
	// warning (to Telemetry.Logger, or slog.Default() without one) when it
	// buffers.
	Conn *nats.Conn
	// Role is the name contested, used as the KV key: letters, digits and
	// "-/_=.", with '.' neither first nor last nor doubled. Required.
	Role string
	// InstanceID names this candidate in leases, tokens and logs. Default:
	// hostname-pid-random. Must not contain '/'.
	InstanceID string
	// TTL is the lease's time to live on the server: a whole number of
	// seconds, at least 1s. Default 10s. The timings left zero are derived
	// from it (see EffectiveTimings).
	TTL time.Duration
	// Priority places this candidate in the order of succession: highest
	// first, then the longest registered. When a lease is freed, the first
	// live candidate in that order takes it at once; Resign hands the lease
	// to it. Priority also shortens the jitter of the fallback race (it is
	// divided by 1+Priority). Default 0.
	Priority int
	// Sessions keeps the lease with a session instead of a TTL of its own:
	// every election on the same actor system, connection and bucket shares
	// one session key, renewed once per Timings.HeartbeatInterval with TTL
	// as its time to live, so N leaders cost one write per heartbeat instead
	// of N. A lease is held while its session lives; another candidate takes
	// it over only once the server has let the session go (see
	// docs/design.md, "Sessions"). Elections sharing a store must agree on
	// Sessions, TTL and Timings.HeartbeatInterval. Needs nats-server 2.12 or
	// newer and the right to enable atomic publish on the bucket's stream.
	Sessions bool

	// Bucket is the KV bucket holding the leases.
	Bucket Bucket
	// Health is the health check that keeps an unfit instance from leading.
	Health Health
	// Succession is how the lease passes from one leader to the next.
	Succession Succession
	// Requests are the requests the leader answers.
	Requests Requests
	// Timings are the election's timings and the clock they run on.
	Timings Timings
	// Telemetry is where the election's logs, traces and metrics go.
	Telemetry Telemetry
}

// DefaultConfig returns a Config with every default filled in except the
// timings derived from TTL, which stay zero so that a TTL set on it derives
// them (EffectiveTimings shows them); set Conn and Role before use.
func DefaultConfig() Config {
	c := Config{}.withDefaults()
	t := &c.Timings
	t.RenewDeadline, t.HeartbeatInterval, t.DisconnectGrace, t.OpTimeout, t.PollInterval = 0, 0, 0, 0, 0
	c.Succession.StandBy = 0
	return c
}

// withDefaults fills zero fields, derives the timings and turns None into
// zero.
func (c Config) withDefaults() Config {
	orDefault(&c.Bucket.Name, DefaultBucket)
	orDefault(&c.Bucket.Replicas, DefaultReplicas)
	if c.InstanceID == "" {
		c.InstanceID = defaultInstanceID()
	}
	orDefault(&c.TTL, DefaultTTL)
	c.Timings = c.EffectiveTimings()
	orDefault(&c.Health.Interval, DefaultHealthInterval)
	orDefault(&c.Health.FailureThreshold, DefaultHealthFailureThreshold)
	orDefault(&c.Succession.StandBy, max(DefaultSuccessionStandBy, c.TTL/10))
	if c.Telemetry.Logger == nil {
		c.Telemetry.Logger = slog.New(slog.DiscardHandler)
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
		r.warnHazards(c.Telemetry.Logger)
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
		Bucket:       transport.BucketConfig{Name: c.Bucket.Name, Replicas: c.Bucket.Replicas, NoCreate: c.Bucket.NoCreate},
		PollInterval: c.Timings.PollInterval,
		OpTimeout:    c.Timings.OpTimeout,
		Session:      c.sessionOptions(),
	})
}

// sessionOptions are the store's session settings: off unless Sessions.
func (c Config) sessionOptions() transport.SessionOptions {
	if !c.Sessions {
		return transport.SessionOptions{}
	}
	return transport.SessionOptions{TTL: c.TTL, Renew: c.Timings.HeartbeatInterval, ProofWindow: c.Timings.RenewDeadline}
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
