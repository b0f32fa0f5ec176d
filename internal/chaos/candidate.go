package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/internal/clock"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// CandidateEnv is the environment variable that turns a re-executed binary
// into one election candidate: it holds the candidate's JSON configuration.
const CandidateEnv = "BATON_CHAOS_CANDIDATE"

// Exit statuses of a candidate process.
const (
	exitOK        = 0
	exitFailed    = 1 // the election could not start or stop cleanly
	exitBadConfig = 2
)

// Candidate process limits.
const (
	connectTimeout = time.Second      // one connection attempt through a proxy
	startTimeout   = 10 * time.Second // opening the bucket and starting the election
	requestTimeout = time.Second      // one request to the fenced resource
	rttTimeout     = 2 * time.Second  // one NATS round-trip measurement
)

// candidateConfig is what the harness passes to a candidate process.
type candidateConfig struct {
	ID          string   `json:"id"`
	NATSURLs    []string `json:"nats_urls"` // proxy URLs, one per server node
	ResourceURL string   `json:"resource_url"`
	Role        string   `json:"role"`
	Replicas    int      `json:"replicas"`
	Timing      Timing   `json:"timing"`
	// Drift, when not zero, runs the election on a clock at rate 1+Drift
	// (ClassClockDrift).
	Drift float64 `json:"drift,omitempty"`
	// Priority is the election's Config.Priority: a drifting candidate
	// outranks the others, so the leader hands it the lease.
	Priority int `json:"priority,omitempty"`
	// Debug sends the election's debug logs to the process's stderr.
	Debug bool `json:"debug,omitempty"`
}

func decodeCandidateConfig(raw string) (candidateConfig, error) {
	var cfg candidateConfig
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%w: %s: %w", ErrBadCandidateConfig, CandidateEnv, err)
	}
	switch {
	case cfg.ID == "":
		return cfg, fmt.Errorf("%w: id is empty", ErrBadCandidateConfig)
	case len(cfg.NATSURLs) == 0:
		return cfg, fmt.Errorf("%w: nats_urls is empty", ErrBadCandidateConfig)
	case cfg.ResourceURL == "":
		return cfg, fmt.Errorf("%w: resource_url is empty", ErrBadCandidateConfig)
	}
	if err := cfg.Timing.validate(); err != nil {
		return cfg, fmt.Errorf("%w: %w", ErrBadCandidateConfig, err)
	}
	if _, err := clock.NewDrifting(cfg.Drift); err != nil {
		return cfg, fmt.Errorf("%w: drift: %w", ErrBadCandidateConfig, err)
	}
	return cfg, nil
}

// MaybeRunCandidate runs a candidate and exits when CandidateEnv is set, and
// returns at once otherwise. Call it first in TestMain and in main, so the
// harness can re-execute the binary as a candidate process.
func MaybeRunCandidate() {
	raw, ok := os.LookupEnv(CandidateEnv)
	if !ok {
		return
	}
	os.Exit(candidateMain(raw, os.Stderr))
}

// candidateMain runs the candidate until SIGTERM or SIGINT and returns the
// process's exit status.
func candidateMain(raw string, logw io.Writer) int {
	cfg, err := decodeCandidateConfig(raw)
	if err != nil {
		fmt.Fprintln(logw, err)
		return exitBadConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := runCandidate(ctx, cfg, logw); err != nil {
		fmt.Fprintf(logw, "candidate %s: %v\n", cfg.ID, err)
		return exitFailed
	}
	return exitOK
}

// runCandidate campaigns until ctx ends, then stops the election, which
// releases a held lease.
func runCandidate(ctx context.Context, cfg candidateConfig, logw io.Writer) error {
	opts := append(natstest.ClientOptions("chaos "+cfg.ID),
		nats.PingInterval(cfg.Timing.PingInterval),
		nats.MaxPingsOutstanding(2),
		nats.Timeout(connectTimeout),
	)
	nc, err := nats.Connect(strings.Join(cfg.NATSURLs, ","), opts...)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
	))
	defer system.Shutdown()

	c := newCandidate(cfg, nc, watchLink(nc), logw)
	ecfg := cfg.Timing.electionConfig(nc, cfg.Role, cfg.ID, cfg.Replicas, leadership.HealthCheckFunc(c.check))
	ecfg.Priority = cfg.Priority
	if cfg.Drift != 0 {
		clk, err := clock.NewDrifting(cfg.Drift) // checked in decodeCandidateConfig
		if err != nil {
			return err
		}
		ecfg.Timings.Clock, c.real = clk, clk.Real
	}
	if cfg.Debug {
		ecfg.Telemetry.Logger = slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	e, err := leadership.NewElection(system, ecfg)
	if err != nil {
		return err
	}
	e.OnPromote(c.lead)
	e.OnDemote(c.demoted)
	c.election = e

	loops, stopLoops := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.beaconLoop(loops) })
	wg.Go(func() { c.rttLoop(loops) })
	defer func() {
		stopLoops()
		wg.Wait()
	}()

	startCtx, cancelStart := context.WithTimeout(ctx, startTimeout)
	err = e.Start(startCtx)
	cancelStart()
	switch {
	case err != nil && ctx.Err() != nil:
		return nil // asked to stop while starting: nothing was held
	case err != nil:
		return err
	}
	<-ctx.Done()
	if err := e.Stop(); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}
