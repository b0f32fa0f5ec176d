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
	// timing is what the decision core needs of cfg.
	timing fsm.Timing
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
		cfg:    cfg,
		timing: timingOf(cfg),
		clock:  clockOr(cfg.Timings.Clock),
		log:    cfg.Telemetry.Logger.With("role", cfg.Role, "instance", cfg.InstanceID),
		tel:    newTelemetry(cfg),
	}
}

// timingOf is what the decision core needs of a resolved config.
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
		Seed:                   randomSeed(),
		AwaitWorkStopped:       cfg.Succession.AwaitWorkStopped,
		Sessions:               cfg.Sessions,
		WorkStopBudget:         cfg.Timings.WorkStopBudget,
		OfferTTL:               transport.OfferTTL,
		MaxServerClockSkew:     cfg.Timings.MaxServerClockSkew,
		MaxClockDrift:          cfg.Timings.MaxClockDrift,
	}
}
