package leadership

import (
	"log/slog"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// electionSettings are what an election is built with and keeps unchanged
// for as long as it runs: its config, what the decision core needs of it,
// and the clock, logger and telemetry the election runs and reports with.
type electionSettings struct {
	// cfg is the election's validated config, shared with its role
	// (roleTree) and never changed.
	cfg *Config
	// seed makes the core's jitter and backoff this election's own
	// (fsm.Timing.Seed).
	seed uint64
	// clock is Config.Timings.Clock, or real time.
	clock Clock
	// log is the logger with role and instance; logger adds the term.
	log *slog.Logger
	// tel records the election's metrics and traces.
	tel *telemetry
}

// newElectionSettings derives an election's settings from a validated
// config.
func newElectionSettings(cfg *Config) electionSettings {
	return electionSettings{
		cfg:   cfg,
		seed:  randomSeed(),
		clock: clockOr(cfg.Timings.Clock),
		log:   cfg.Telemetry.Logger.With("role", cfg.Role, "instance", cfg.InstanceID),
		tel:   newTelemetry(cfg),
	}
}

// timing is what the decision core needs of the election's config. It is
// derived for every step rather than kept, since it only copies fields of
// cfg: an election kept for as long as it runs costs the less.
func (s *electionSettings) timing() fsm.Timing {
	t := timingOf(s.cfg)
	t.Seed = s.seed
	return t
}

// timingOf is what the decision core needs of a resolved config, but for
// the seed.
func timingOf(cfg *Config) fsm.Timing {
	return fsm.Timing{
		InstanceID:             cfg.InstanceID,
		TTL:                    cfg.TTL,
		RenewDeadline:          cfg.Timings.RenewDeadline,
		HeartbeatInterval:      cfg.Timings.HeartbeatInterval,
		DisconnectGrace:        cfg.Timings.DisconnectGrace,
		PollInterval:           cfg.Timings.PollInterval,
		OpTimeout:              cfg.Timings.OpTimeout,
		CampaignJitter:         cfg.Timings.CampaignJitter,
		Priority:               cfg.Priority,
		StandBy:                cfg.Succession.StandBy,
		PreferredLeader:        cfg.Succession.PreferredLeader,
		ResignHoldOff:          cfg.Timings.ResignHoldOff,
		RetryInitial:           cfg.Timings.RetryInitialInterval,
		RetryMax:               cfg.Timings.RetryMaxInterval,
		BreakerThreshold:       cfg.Timings.BreakerThreshold,
		BreakerCooldown:        cfg.Timings.BreakerCooldown,
		HealthFailureThreshold: cfg.Health.FailureThreshold,
		RespawnDelay:           cfg.TTL,
		AwaitWorkStopped:       cfg.Succession.AwaitWorkStopped,
		Sessions:               cfg.Sessions,
		WorkStopBudget:         cfg.Timings.WorkStopBudget,
		OfferTTL:               transport.OfferTTL,
		MaxServerClockSkew:     cfg.Timings.MaxServerClockSkew,
		MaxClockDrift:          cfg.Timings.MaxClockDrift,
	}
}
