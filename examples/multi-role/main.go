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
	"os"

	"github.com/batonhq/baton/internal/cli"
)

func main() {
	os.Exit(cli.Main("multi-role", os.Args[1:], os.Stderr, parseFlags, func(ctx context.Context, opts options) error {
		return run(ctx, os.Stdout, opts)
	}))
}
