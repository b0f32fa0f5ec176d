package leadership_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// fieldErrors returns the errors Validate joined, one per field.
func fieldErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok { //nolint:errorlint // the join itself, not a wrapped error
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func TestConfigValidate(t *testing.T) {
	valid := func() leadership.Config {
		cfg := leadership.DefaultConfig()
		cfg.Conn = &nats.Conn{}
		cfg.Role = "scheduler"
		return cfg
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("defaults with Conn and Role: %v", err)
	}
	if err := (leadership.Config{Conn: &nats.Conn{}, Role: "r"}).Validate(); err != nil {
		t.Fatalf("zero fields take defaults: %v", err)
	}
	cases := []struct {
		field  string
		mutate func(*leadership.Config)
	}{
		{"Conn", func(c *leadership.Config) { c.Conn = nil }},
		{"Role", func(c *leadership.Config) { c.Role = "" }},
		{"Role", func(c *leadership.Config) { c.Role = "has space" }},
		{"Role", func(c *leadership.Config) { c.Role = "a.." }},
		{"Role", func(c *leadership.Config) { c.Role = ".a" }},
		{"Bucket.Name", func(c *leadership.Config) { c.Bucket.Name = "a.b" }},
		{"InstanceID", func(c *leadership.Config) { c.InstanceID = "a/b" }},
		{"InstanceID", func(c *leadership.Config) { c.InstanceID = "a b" }},
		{"Bucket.Replicas", func(c *leadership.Config) { c.Bucket.Replicas = 7 }},
		{"Bucket.Replicas", func(c *leadership.Config) { c.Bucket.Replicas = -1 }},
		{"Priority", func(c *leadership.Config) { c.Priority = -1 }},
		{"Timings.MaxClockDrift", func(c *leadership.Config) { c.Timings.MaxClockDrift = 0.5 }},
		{"Timings.MaxClockDrift", func(c *leadership.Config) { c.Timings.MaxClockDrift = -0.5 }},
		{"Timings.MaxServerClockSkew", func(c *leadership.Config) { c.Timings.MaxServerClockSkew = 5 * time.Second }},
		{"Timings.MaxServerClockSkew", func(c *leadership.Config) { c.Timings.MaxServerClockSkew = -5 * time.Millisecond }},
		{"Timings.WorkStopBudget", func(c *leadership.Config) { c.Timings.WorkStopBudget = -time.Second }},
		{"Timings.WorkStopBudget", func(c *leadership.Config) { c.Timings.WorkStopBudget = 9 * time.Second }},
		{"Timings.RenewDeadline", func(c *leadership.Config) {
			c.Timings.WorkStopBudget = 2 * time.Second
			c.Timings.RenewDeadline = 7 * time.Second
		}},
		{"TTL", func(c *leadership.Config) { c.TTL = 1500 * time.Millisecond }},
		{"TTL", func(c *leadership.Config) { c.TTL = -time.Second }},
		{"TTL", func(c *leadership.Config) { c.TTL = 500 * time.Millisecond }},
		{"Timings.RenewDeadline", func(c *leadership.Config) { c.Timings.RenewDeadline = 10 * time.Second }},
		{"Timings.RenewDeadline", func(c *leadership.Config) { c.TTL, c.Timings.RenewDeadline = 2*time.Second, 7*time.Second }},
		{"Timings.RenewDeadline", func(c *leadership.Config) { c.Timings.RenewDeadline = -time.Second }},
		{"Timings.HeartbeatInterval", func(c *leadership.Config) { c.Timings.HeartbeatInterval = 3 * time.Second }},
		{"Timings.HeartbeatInterval", func(c *leadership.Config) { c.Timings.HeartbeatInterval = -time.Second }},
		{"Timings.DisconnectGrace", func(c *leadership.Config) { c.Timings.DisconnectGrace = 8 * time.Second }},
		{"Timings.DisconnectGrace", func(c *leadership.Config) { c.Timings.DisconnectGrace = -time.Second }},
		{"Timings.OpTimeout", func(c *leadership.Config) { c.Timings.OpTimeout = time.Minute }},
		{"Timings.OpTimeout", func(c *leadership.Config) { c.Timings.OpTimeout = -time.Second }},
		{"Health.Interval", func(c *leadership.Config) { c.Health.Interval = -time.Second }},
		{"Health.FailureThreshold", func(c *leadership.Config) { c.Health.FailureThreshold = -1 }},
		{"Timings.CampaignJitter", func(c *leadership.Config) { c.Timings.CampaignJitter = -time.Second }},
		{"Timings.RetryInitialInterval", func(c *leadership.Config) { c.Timings.RetryMaxInterval = time.Millisecond }},
		{"Timings.RetryInitialInterval", func(c *leadership.Config) { c.Timings.RetryInitialInterval = -time.Millisecond }},
		{"Timings.ResignHoldOff", func(c *leadership.Config) { c.Timings.ResignHoldOff = -time.Second }},
		{"Timings.BreakerThreshold", func(c *leadership.Config) { c.Timings.BreakerThreshold = -1 }},
		{"Timings.BreakerCooldown", func(c *leadership.Config) { c.Timings.BreakerCooldown = -time.Second }},
		{"Timings.PollInterval", func(c *leadership.Config) { c.Timings.PollInterval = -time.Second }},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d", tc.field, i), func(t *testing.T) {
			cfg := valid()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, leadership.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if errs := fieldErrors(err); len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.field+":") {
				t.Fatalf("error %q: want exactly one, naming %s", err, tc.field)
			}
			if _, perr := leadership.NewProps(cfg); !errors.Is(perr, leadership.ErrInvalidConfig) {
				t.Fatalf("NewProps err = %v, want ErrInvalidConfig", perr)
			}
		})
	}
}

// TestConfigReportsEveryInvalidField checks that one Validate names every
// field at fault, so a config is fixed in one round.
func TestConfigReportsEveryInvalidField(t *testing.T) {
	cfg := leadership.Config{
		Role:     "a..b",
		Bucket:   leadership.Bucket{Name: "a.b"},
		Priority: -1,
		TTL:      2 * time.Second,
		Timings: leadership.Timings{
			HeartbeatInterval: time.Second,
			DisconnectGrace:   5 * time.Second,
			OpTimeout:         2 * time.Second,
		},
		Health: leadership.Health{Interval: -time.Second},
	}
	err := cfg.Validate()
	fields := []string{"Conn", "Role", "Bucket.Name", "Priority", "Timings.HeartbeatInterval", "Timings.DisconnectGrace", "Timings.OpTimeout", "Health.Interval"}
	errs := fieldErrors(err)
	if len(errs) != len(fields) {
		t.Errorf("got %d errors, want %d:\n%v", len(errs), len(fields), err)
	}
	for _, f := range fields {
		if !strings.Contains(err.Error(), f+":") {
			t.Errorf("error does not name %s:\n%v", f, err)
		}
	}
	for _, e := range errs {
		if !errors.Is(e, leadership.ErrInvalidConfig) {
			t.Errorf("%v does not wrap ErrInvalidConfig", e)
		}
	}
	t.Logf("%v", err)
}

// TestTTLAloneConfiguresAnElection checks that every TTL from 1s to 60s,
// alone and on top of DefaultConfig, derives timings Validate accepts.
func TestTTLAloneConfiguresAnElection(t *testing.T) {
	for ttl := time.Second; ttl <= time.Minute; ttl += time.Second {
		for name, cfg := range map[string]leadership.Config{
			"alone":          {Conn: &nats.Conn{}, Role: "r", TTL: ttl},
			"no drift":       {Conn: &nats.Conn{}, Role: "r", TTL: ttl, Timings: leadership.Timings{MaxClockDrift: leadership.None}},
			"largest drift":  {Conn: &nats.Conn{}, Role: "r", TTL: ttl, Timings: leadership.Timings{MaxClockDrift: 0.2}},
			"DefaultConfig":  withConnRoleTTL(leadership.DefaultConfig(), ttl),
			"set deadline":   {Conn: &nats.Conn{}, Role: "r", TTL: ttl, Timings: leadership.Timings{RenewDeadline: leadership.Config{TTL: ttl}.EffectiveTimings().RenewDeadline / 2}},
			"set heartbeats": {Conn: &nats.Conn{}, Role: "r", TTL: ttl, Timings: leadership.Timings{HeartbeatInterval: leadership.Config{TTL: ttl}.EffectiveTimings().HeartbeatInterval / 2}},
		} {
			if err := cfg.Validate(); err != nil {
				t.Fatalf("TTL %v, %s: %v (timings %+v)", ttl, name, err, cfg.EffectiveTimings())
			}
		}
	}
}

func withConnRoleTTL(c leadership.Config, ttl time.Duration) leadership.Config {
	c.Conn, c.Role, c.TTL = &nats.Conn{}, "r", ttl
	return c
}

func TestTimingsDerivedFromTTL(t *testing.T) {
	ms := time.Millisecond
	// withDefaults adds the timings that do not follow from TTL.
	withDefaults := func(t leadership.Timings) leadership.Timings {
		t.MaxClockDrift, t.MaxServerClockSkew = leadership.DefaultMaxClockDrift, leadership.DefaultMaxServerClockSkew
		t.CampaignJitter, t.ResignHoldOff = leadership.DefaultCampaignJitter, leadership.DefaultResignHoldOff
		t.RetryInitialInterval, t.RetryMaxInterval = leadership.DefaultRetryInitialInterval, leadership.DefaultRetryMaxInterval
		t.BreakerThreshold, t.BreakerCooldown = leadership.DefaultBreakerThreshold, leadership.DefaultBreakerCooldown
		return t
	}
	for _, tc := range []struct {
		ttl  time.Duration
		want leadership.Timings
	}{
		{leadership.DefaultTTL, leadership.Timings{
			RenewDeadline: leadership.DefaultRenewDeadline, HeartbeatInterval: leadership.DefaultHeartbeatInterval,
			DisconnectGrace: leadership.DefaultDisconnectGrace, OpTimeout: leadership.DefaultOpTimeout, PollInterval: leadership.DefaultPollInterval,
		}},
		{2 * time.Second, leadership.Timings{RenewDeadline: 1110 * ms, HeartbeatInterval: 317 * ms, DisconnectGrace: 793 * ms, OpTimeout: 317 * ms, PollInterval: 400 * ms}},
		{time.Second, leadership.Timings{RenewDeadline: 232 * ms, HeartbeatInterval: 66 * ms, DisconnectGrace: 166 * ms, OpTimeout: 66 * ms, PollInterval: 200 * ms}},
		{time.Minute, leadership.Timings{RenewDeadline: 42 * time.Second, HeartbeatInterval: 12 * time.Second, DisconnectGrace: 30 * time.Second, OpTimeout: 2 * time.Second, PollInterval: 12 * time.Second}},
	} {
		if got, want := (leadership.Config{TTL: tc.ttl}).EffectiveTimings(), withDefaults(tc.want); got != want {
			t.Errorf("TTL %v: timings %+v, want %+v", tc.ttl, got, want)
		}
	}
	set := leadership.Config{TTL: 2 * time.Second, Timings: leadership.Timings{RenewDeadline: 900 * ms, OpTimeout: 100 * ms}}.EffectiveTimings()
	if set.RenewDeadline != 900*ms || set.OpTimeout != 100*ms || set.HeartbeatInterval != 257*ms {
		t.Errorf("set fields are kept and the rest follow them: %+v", set)
	}
}

func TestWorkStopBudgetShortensTheDerivedDeadline(t *testing.T) {
	without := leadership.Config{TTL: 10 * time.Second}.EffectiveTimings()
	with := leadership.Config{TTL: 10 * time.Second, Timings: leadership.Timings{WorkStopBudget: 3 * time.Second}}.EffectiveTimings()
	ceiling := time.Duration(float64(10*time.Second-with.MaxServerClockSkew)*(1-2*with.MaxClockDrift)) - leadership.SafetyMargin - 3*time.Second
	if with.RenewDeadline > ceiling || with.RenewDeadline >= without.RenewDeadline {
		t.Fatalf("RenewDeadline %v with a 3s budget (ceiling %v), %v without: the budget must come off the deadline", with.RenewDeadline, ceiling, without.RenewDeadline)
	}
	err := leadership.Config{Conn: &nats.Conn{}, Role: "r", TTL: 2 * time.Second, Timings: leadership.Timings{WorkStopBudget: 2 * time.Second}}.Validate()
	if err == nil || !strings.Contains(err.Error(), "Timings.WorkStopBudget") || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("a budget that cannot fit a 2s TTL: %v; want an error naming Timings.WorkStopBudget and the largest that fits", err)
	}
}

func TestDefaultsSatisfyTheSafetyRules(t *testing.T) {
	cfg := leadership.DefaultConfig()
	tm := cfg.EffectiveTimings()
	limit := time.Duration(float64(cfg.TTL-tm.MaxServerClockSkew)*(1-2*tm.MaxClockDrift)) - leadership.SafetyMargin - tm.WorkStopBudget
	if tm.RenewDeadline > limit || tm.HeartbeatInterval > tm.RenewDeadline/3 || tm.DisconnectGrace > tm.RenewDeadline {
		t.Fatalf("defaults break the timing rules: %+v", tm)
	}
	if cfg.Timings.RenewDeadline != 0 || cfg.Timings.HeartbeatInterval != 0 {
		t.Fatalf("DefaultConfig pins timings a TTL set on it would conflict with: %+v", cfg)
	}
	if cfg.InstanceID == "" || strings.Contains(cfg.InstanceID, "/") {
		t.Fatalf("default InstanceID %q", cfg.InstanceID)
	}
}

// TestNoneTurnsOff checks None where zero means the default.
func TestNoneTurnsOff(t *testing.T) {
	cfg := leadership.Config{Conn: &nats.Conn{}, Role: "r", TTL: time.Second,
		Timings: leadership.Timings{CampaignJitter: leadership.None, ResignHoldOff: leadership.None, MaxClockDrift: leadership.None}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := cfg.EffectiveTimings(); got.MaxClockDrift != 0 || got.RenewDeadline != 300*time.Millisecond {
		t.Fatalf("no drift: timings %+v, want drift 0 and RenewDeadline TTL-SafetyMargin-100ms", got)
	}
}

// TestWarnsAboutAReconnectBuffer checks that a connection that would replay
// writes after a reconnect is named in a Warn log, and a safe one is not.
func TestWarnsAboutAReconnectBuffer(t *testing.T) {
	for _, tc := range []struct {
		name string
		conn *nats.Conn
		warn bool
	}{
		{"buffering", &nats.Conn{Opts: nats.Options{AllowReconnect: true, ReconnectBufSize: nats.DefaultReconnectBufSize}}, true},
		{"no buffer", &nats.Conn{Opts: nats.Options{AllowReconnect: true, ReconnectBufSize: -1}}, false},
		{"no reconnect", &nats.Conn{Opts: nats.Options{ReconnectBufSize: nats.DefaultReconnectBufSize}}, false},
	} {
		var out bytes.Buffer
		cfg := leadership.Config{Conn: tc.conn, Role: "r", Telemetry: leadership.Telemetry{Logger: slog.New(slog.NewTextHandler(&out, nil))}}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if out.Len() != 0 {
			t.Fatalf("%s: Validate logged %q; only constructors warn", tc.name, out.String())
		}
		if _, err := leadership.NewProps(cfg); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "level=WARN") && strings.Contains(out.String(), "ReconnectBufSize(-1)"); got != tc.warn {
			t.Fatalf("%s: warned %v, want %v; log %q", tc.name, got, tc.warn, out.String())
		}
	}
}

// TestInvalidFieldIsReportedAlone checks that fields derived from an
// invalid one are derived as if it were unset, so only it is reported.
func TestInvalidFieldIsReportedAlone(t *testing.T) {
	for _, hb := range []time.Duration{-time.Second, 3 * time.Second, 8 * time.Second, time.Hour} {
		err := leadership.Config{Conn: &nats.Conn{}, Role: "r", Timings: leadership.Timings{HeartbeatInterval: hb}}.Validate()
		if errs := fieldErrors(err); len(errs) != 1 || !strings.Contains(err.Error(), "Timings.HeartbeatInterval:") {
			t.Errorf("HeartbeatInterval %v: %v, want one error naming it", hb, err)
		}
	}
}
