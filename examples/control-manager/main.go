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
	"os"

	"github.com/batonhq/baton/internal/cli"
)

func main() {
	os.Exit(cli.Main("control-manager", os.Args[1:], os.Stderr, parseFlags, func(ctx context.Context, opts options) error {
		_, err := run(ctx, opts, os.Stdout)
		return err
	}))
}
