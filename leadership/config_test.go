package leadership_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

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
		{"Bucket", func(c *leadership.Config) { c.Bucket = "a.b" }},
		{"InstanceID", func(c *leadership.Config) { c.InstanceID = "a/b" }},
		{"Replicas", func(c *leadership.Config) { c.Replicas = 7 }},
		{"Priority", func(c *leadership.Config) { c.Priority = -1 }},
		{"MaxClockDrift", func(c *leadership.Config) { c.MaxClockDrift = 0.5 }},
		{"TTL", func(c *leadership.Config) { c.TTL = 1500 * time.Millisecond }},
		{"TTL", func(c *leadership.Config) { c.TTL = -time.Second }},
		{"RenewDeadline", func(c *leadership.Config) { c.RenewDeadline = 10 * time.Second }},
		{"RenewDeadline", func(c *leadership.Config) { c.TTL = 2 * time.Second }},
		{"HeartbeatInterval", func(c *leadership.Config) { c.HeartbeatInterval = 3 * time.Second }},
		{"DisconnectGrace", func(c *leadership.Config) { c.DisconnectGrace = 8 * time.Second }},
		{"OpTimeout", func(c *leadership.Config) { c.OpTimeout = time.Minute }},
		{"HealthInterval", func(c *leadership.Config) { c.HealthInterval = -time.Second }},
		{"HealthFailureThreshold", func(c *leadership.Config) { c.HealthFailureThreshold = -1 }},
		{"CampaignJitter", func(c *leadership.Config) { c.CampaignJitter = -time.Second }},
		{"RetryInitialInterval", func(c *leadership.Config) { c.RetryMaxInterval = time.Millisecond }},
		{"ResignHoldOff", func(c *leadership.Config) { c.ResignHoldOff = -time.Second }},
		{"PollInterval", func(c *leadership.Config) { c.PollInterval = -time.Second }},
	}
	for _, tc := range cases {
		cfg := valid()
		tc.mutate(&cfg)
		err := cfg.Validate()
		if !errors.Is(err, leadership.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", tc.field, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("%s: error %q does not name the field", tc.field, err)
		}
		if _, perr := leadership.NewProps(cfg); !errors.Is(perr, leadership.ErrInvalidConfig) {
			t.Errorf("%s: NewProps err = %v, want ErrInvalidConfig", tc.field, perr)
		}
	}
}

func TestDefaultsSatisfyTheSafetyRules(t *testing.T) {
	cfg := leadership.DefaultConfig()
	limit := time.Duration(float64(cfg.TTL)*(1-2*cfg.MaxClockDrift)) - leadership.SafetyMargin
	if cfg.RenewDeadline > limit || cfg.HeartbeatInterval > cfg.RenewDeadline/3 || cfg.DisconnectGrace > cfg.RenewDeadline {
		t.Fatalf("defaults break the timing rules: %+v", cfg)
	}
	if cfg.InstanceID == "" || strings.Contains(cfg.InstanceID, "/") {
		t.Fatalf("default InstanceID %q", cfg.InstanceID)
	}
}
