// Control-manager is a leader-only control loop doing fenced work: several
// managers contest one role, and the leader writes to a resource with its
// term's fencing token while the term lasts.
//
// The resource accepts a write only if its token supersedes the highest it
// has accepted (leadership.Token.Supersedes). The example stalls the leader
// with a write in hand, as a long GC pause would, and cuts its link
// silently; the leader demotes itself, a successor is promoted and writes,
// and when the stalled write finally arrives the resource rejects it. The
// election alone cannot stop a write already decided: the token can.
//
//	go run ./examples/control-manager
//	go run ./examples/control-manager -nats nats://127.0.0.1:4222
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
		fmt.Fprintln(os.Stderr, "control-manager:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err = run(ctx, opts, os.Stdout)
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return 0 // interrupted: everything was stopped
	case err != nil:
		fmt.Fprintln(os.Stderr, "control-manager:", err)
		return 1
	}
	return 0
}
