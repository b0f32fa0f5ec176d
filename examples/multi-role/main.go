// Multi-role runs several instances of one service in a single process, each
// with a role manager that contests three roles: "region-eu", its child
// "region-eu/compactor", and "region-us".
//
// A child role campaigns only on the instance that leads its parent, and its
// compactor work actor runs only while that instance leads the child. The
// example prints who leads each role, then stops the leader of "region-eu":
// on that instance the compactor stops, the child role steps down, and only
// then does the parent step down. Another instance takes "region-eu" and,
// after it, "region-eu/compactor".
//
//	go run ./examples/multi-role
//	go run ./examples/multi-role -nats nats://127.0.0.1:4222 -duration 30s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(mainCode()) }

// mainCode runs the example and returns the process's exit code.
func mainCode() int {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(os.Stderr, "multi-role:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "multi-role:", err)
		return 1
	}
	return 0
}
