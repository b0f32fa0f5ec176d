package actors

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestDelayGrowsExponentiallyUpToTheCap(t *testing.T) {
	cfg := BackoffSupervision{
		InitialInterval: 10 * time.Millisecond,
		MaxInterval:     50 * time.Millisecond,
		Multiplier:      2,
	}.withDefaults()
	want := []time.Duration{10, 20, 40, 50, 50}
	for i, w := range want {
		if got := cfg.delay(i + 1); got != w*time.Millisecond {
			t.Errorf("delay after failure %d = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
}

func TestDelayJitterStaysWithinTheFactor(t *testing.T) {
	cfg := BackoffSupervision{InitialInterval: 100 * time.Millisecond, Multiplier: 2, RandomizationFactor: 0.5}.withDefaults()
	for range 100 {
		if got := cfg.delay(3); got < 200*time.Millisecond || got > 600*time.Millisecond+time.Nanosecond {
			t.Fatalf("delay after failure 3 = %v, want within [200ms, 600ms]", got)
		}
	}
}

func TestWithDefaultsFillsZeroAndOutOfRangeFields(t *testing.T) {
	noJitter := DefaultBackoffSupervision()
	noJitter.RandomizationFactor = 0
	if got := (BackoffSupervision{}).withDefaults(); got != noJitter {
		t.Errorf("zero config with defaults = %+v, want %+v (zero jitter kept)", got, noJitter)
	}
	bad := BackoffSupervision{
		InitialInterval: -time.Second, MaxInterval: -1, Multiplier: 0.5,
		RandomizationFactor: 1, MaxRestarts: -3, Window: -time.Second, OnGiveUp: 9,
	}
	if got, want := bad.withDefaults(), DefaultBackoffSupervision(); got != want {
		t.Errorf("out-of-range config with defaults = %+v, want %+v", got, want)
	}
	nan := BackoffSupervision{Multiplier: math.NaN(), RandomizationFactor: math.NaN()}.withDefaults()
	if nan.Multiplier != DefaultRestartMultiplier || nan.RandomizationFactor != DefaultRestartRandomizationFactor {
		t.Errorf("NaN fields with defaults = %+v, want the defaults", nan)
	}
	small := BackoffSupervision{InitialInterval: time.Minute}.withDefaults()
	if small.MaxInterval != time.Minute {
		t.Errorf("MaxInterval = %v with InitialInterval 1m, want it raised to 1m", small.MaxInterval)
	}
}

func TestValidate(t *testing.T) {
	if err := (BackoffSupervision{}).Validate(); err != nil {
		t.Errorf("zero config: %v, want valid (defaults)", err)
	}
	if err := DefaultBackoffSupervision().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
	cases := []struct {
		field string
		cfg   BackoffSupervision
	}{
		{"InitialInterval", BackoffSupervision{InitialInterval: -1}},
		{"MaxInterval", BackoffSupervision{MaxInterval: -1}},
		{"Multiplier", BackoffSupervision{Multiplier: 0.9}},
		{"RandomizationFactor", BackoffSupervision{RandomizationFactor: 1}},
		{"RandomizationFactor", BackoffSupervision{RandomizationFactor: -0.1}},
		{"RandomizationFactor", BackoffSupervision{RandomizationFactor: math.NaN()}},
		{"Multiplier", BackoffSupervision{Multiplier: math.NaN()}},
		{"MaxRestarts", BackoffSupervision{MaxRestarts: -1}},
		{"Window", BackoffSupervision{Window: -1}},
		{"OnGiveUp", BackoffSupervision{OnGiveUp: 5}},
		{"MaxInterval", BackoffSupervision{InitialInterval: time.Second, MaxInterval: time.Millisecond}},
	}
	for _, tc := range cases {
		err := tc.cfg.Validate()
		if !errors.Is(err, ErrInvalidBackoff) {
			t.Errorf("%+v: error %v, want ErrInvalidBackoff", tc.cfg, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: error %q does not name %s", tc.cfg, err, tc.field)
		}
	}
}
