// Demo is Baton's main job: leader election you can watch fail over.
//
// It starts an embedded NATS JetStream server (or a 3-node cluster with
// -cluster, or uses -nats URL), runs several candidates in one process, each
// with its own connection through a fault proxy, and has them contest the
// roles "scheduler" and "compactor". Every few seconds (-every), and on a
// key press, it faults the leader of a role: 'k' cuts its link silently, so
// it must demote itself while the server lets its lease expire; 's' stops it
// gracefully, so it releases its leases. It prints each promotion and
// demotion and each failover time: from the fault to the successor's
// promotion, on this process's monotonic clock.
//
// On a terminal it redraws a table in place; otherwise (or with -plain) it
// prints log lines. It stops on Ctrl-C, on 'q' or after -duration, releasing
// every lease and shutting down what it started.
//
//	go run ./examples/demo
//	go run ./examples/demo -cluster -candidates 5 -every 3s
package main

import (
	"context"
	"os"

	"github.com/batonhq/baton/internal/cli"
)

func main() {
	os.Exit(cli.Main("demo", os.Args[1:], os.Stderr, parseFlags, func(ctx context.Context, opts options) error {
		opts.table = !opts.plain && isTerminal(os.Stdout)
		if opts.table {
			opts.width = terminalWidth(os.Stdout)
		}
		keys, restore := readKeys(os.Stdin)
		defer restore()
		return run(ctx, opts, os.Stdout, keys)
	}))
}
