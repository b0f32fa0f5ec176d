package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes returned by Main.
const (
	// ExitOK is returned on success, for -h, and when an interrupt ended
	// the run.
	ExitOK = 0
	// ExitFailed is returned when run fails.
	ExitFailed = 1
	// ExitUsage is returned when parse refuses the command line.
	ExitUsage = 2
)

// Main runs program name and returns its exit code for os.Exit. parse reads
// args (flag.ErrHelp for -h), writing usage to stderr; run then does the
// work under a context that ends on SIGINT or SIGTERM. An error of run that
// is the interrupt's own (it wraps the context's error after the context
// ended) is a clean exit, since the program was asked to stop; any other
// error is printed to stderr after the program's name.
func Main[O any](name string, args []string, stderr io.Writer,
	parse func(args []string, stderr io.Writer) (O, error),
	run func(ctx context.Context, opts O) error,
) int {
	opts, err := parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = run(ctx, opts)
	switch {
	case err == nil, ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return ExitOK
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitFailed
	}
}
