package main

import (
	"flag"
	"fmt"
	"io"
	"time"
)

// options are the example's settings, one per flag.
type options struct {
	// natsURL, when set, replaces the embedded server: one nats://host:port
	// URL.
	natsURL string
	// instances is the number of instances run in this process.
	instances int
	// duration is how long the example keeps running after the
	// demonstration; 0 runs until interrupted.
	duration time.Duration
}

// defaultOptions are the flags' defaults.
func defaultOptions() options {
	return options{instances: 3}
}

// parseFlags reads the command line. It returns flag.ErrHelp for -h.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	opts := defaultOptions()
	fs := flag.NewFlagSet("multi-role", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.natsURL, "nats", "", "use this NATS server (nats://host:port) instead of an embedded one")
	fs.IntVar(&opts.instances, "instances", opts.instances, "number of instances in this process (2 or 3)")
	fs.DurationVar(&opts.duration, "duration", 0, "how long to keep running after the demonstration; 0 runs until Ctrl-C")
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
	case o.instances < 2 || o.instances > 3:
		return fmt.Errorf("%w: -instances %d must be 2 or 3 (the cascade needs a successor)", errInvalidOptions, o.instances)
	case o.duration < 0:
		return fmt.Errorf("%w: -duration %v must not be negative", errInvalidOptions, o.duration)
	}
	return nil
}
