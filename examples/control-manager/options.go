package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/batonhq/baton/leadership"
)

// role is the role the managers contest, and bucket the lease bucket,
// apart from the default one so the example never touches a real
// deployment's leases on an external server.
const (
	role   = "control-loop"
	bucket = "baton_control_manager"
)

// options are the example's settings, one per flag.
type options struct {
	// natsURL, when set, replaces the embedded server: one nats://host:port
	// URL.
	natsURL string
	// managers is the number of control managers contesting the role.
	managers int
	// ttl is the lease TTL; every other timing is derived from it.
	ttl time.Duration
	// interval is the time between two writes of the control loop.
	interval time.Duration
}

// defaultOptions are the flags' defaults.
func defaultOptions() options {
	return options{managers: 3, ttl: 2 * time.Second, interval: 200 * time.Millisecond}
}

// parseFlags reads the command line. It returns flag.ErrHelp for -h.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	opts := defaultOptions()
	fs := flag.NewFlagSet("control-manager", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.natsURL, "nats", "", "use this NATS server (nats://host:port) instead of an embedded one")
	fs.IntVar(&opts.managers, "managers", opts.managers, "number of control managers contesting the role (2 to 5)")
	fs.DurationVar(&opts.ttl, "ttl", opts.ttl, "lease TTL, whole seconds; the other timings are derived from it")
	fs.DurationVar(&opts.interval, "interval", opts.interval, "time between two writes of the control loop")
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
	case o.managers < 2 || o.managers > 5:
		return fmt.Errorf("%w: -managers %d must be between 2 and 5 (a failover needs a successor)", errInvalidOptions, o.managers)
	case o.ttl < time.Second || o.ttl%time.Second != 0:
		return fmt.Errorf("%w: -ttl %v must be a whole number of seconds, at least 1s", errInvalidOptions, o.ttl)
	case o.interval <= 0 || o.interval > o.ttl:
		return fmt.Errorf("%w: -interval %v must be positive and at most -ttl %v", errInvalidOptions, o.interval, o.ttl)
	}
	return nil
}

// config returns the election config of one manager; the election derives
// its other timings from the TTL.
func (o options) config(instance string) leadership.Config {
	return leadership.Config{Role: role, InstanceID: instance, TTL: o.ttl, Bucket: leadership.Bucket{Name: bucket}}
}

// patience bounds each step of the scenario: long enough for a lease to
// expire and a successor to be promoted and write.
func (o options) patience() time.Duration { return 2*o.ttl + 2*time.Second }
