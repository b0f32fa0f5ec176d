package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/batonhq/baton/leadership"
)

// roles are the roles every candidate contests.
var roles = []string{"scheduler", "compactor"}

// bucket is the demo's lease bucket, apart from the default one so the demo
// never touches a real deployment's leases on an external server.
const bucket = "baton_demo"

// maxCandidates keeps the table on one screen.
const maxCandidates = 16

// options are the demo's settings, one per flag.
type options struct {
	// natsURL, when set, replaces the embedded server: comma-separated
	// nats://host:port URLs, spread over the candidates.
	natsURL string
	// cluster starts a 3-node embedded cluster (or, with natsURL, declares
	// the external servers a cluster) and uses Replicas 3.
	cluster bool
	// candidates is the number of candidate processes simulated.
	candidates int
	// every is the time between scheduled faults; zero disables them.
	every time.Duration
	// duration ends the demo; zero runs until interrupted.
	duration time.Duration
	// ttl is the lease TTL; every other timing is derived from it.
	ttl time.Duration
	// plain prints log lines even on a terminal.
	plain bool
	// table redraws a table in place instead of printing log lines; main
	// sets it from plain and whether stdout is a terminal.
	table bool
	// width is the terminal's width in table mode: longer lines are cut so
	// none wraps and the redraw stays in place.
	width int
	// metricsAddr, when set, serves the elections' metrics for Prometheus
	// at http://<addr>/metrics.
	metricsAddr string
	// traceFile, when set, receives every span as JSON ("-" for stdout).
	traceFile string
}

// defaultOptions are the flags' defaults.
func defaultOptions() options {
	return options{candidates: 4, every: 5 * time.Second, ttl: 2 * time.Second}
}

// parseFlags reads the command line. It returns flag.ErrHelp for -h. The
// caller decides table mode, since it depends on the terminal.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	opts := defaultOptions()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.natsURL, "nats", "", "use this NATS server (comma-separated nats://host:port URLs) instead of an embedded one")
	fs.BoolVar(&opts.cluster, "cluster", false, "run a 3-node embedded JetStream cluster and a bucket with 3 replicas")
	fs.IntVar(&opts.candidates, "candidates", opts.candidates, "number of candidates, each contesting every role over its own connection")
	fs.DurationVar(&opts.every, "every", opts.every, "time between scheduled faults, alternating kill and stop (0 disables them)")
	fs.DurationVar(&opts.duration, "duration", 0, "stop after this long (0 runs until Ctrl-C or q)")
	fs.DurationVar(&opts.ttl, "ttl", opts.ttl, "lease TTL, whole seconds; the other timings are derived from it")
	fs.StringVar(&opts.metricsAddr, "metrics", "", "serve the elections' metrics for Prometheus at http://ADDR/metrics (e.g. localhost:9464)")
	fs.StringVar(&opts.traceFile, "trace", "", "write every span (acquire, renew, release, transitions) as JSON to this file, - for stdout")
	fs.BoolVar(&opts.plain, "plain", false, "print log lines even when stdout is a terminal")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("%w: unexpected argument %q", errInvalidOptions, fs.Arg(0))
	}
	return opts, opts.validate()
}

// validate checks the options, naming the flag at fault.
func (o options) validate() error {
	switch {
	case o.candidates < 1 || o.candidates > maxCandidates:
		return fmt.Errorf("%w: -candidates %d must be between 1 and %d", errInvalidOptions, o.candidates, maxCandidates)
	case o.every < 0:
		return fmt.Errorf("%w: -every %v must not be negative", errInvalidOptions, o.every)
	case o.duration < 0:
		return fmt.Errorf("%w: -duration %v must not be negative", errInvalidOptions, o.duration)
	case o.ttl < time.Second || o.ttl%time.Second != 0:
		return fmt.Errorf("%w: -ttl %v must be a whole number of seconds, at least 1s", errInvalidOptions, o.ttl)
	}
	return nil
}

// config returns the election config of one candidate for one role, its
// other timings derived by the election from ttl.
func config(ttl time.Duration, role, instance string, replicas int) leadership.Config {
	return leadership.Config{Role: role, InstanceID: instance, TTL: ttl, Bucket: leadership.Bucket{Name: bucket, Replicas: replicas}}
}
