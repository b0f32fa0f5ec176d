// Package cli is what the programs under examples/ share: a main that
// parses the command line, runs under a context that ends on SIGINT or
// SIGTERM and turns the outcome into an exit code. (Election timings come
// from the TTL alone: see leadership.Config.Timings.)
//
// It guarantees the same exit codes and interrupt handling for every
// example. It does not define flags: each program parses its own command
// line, so its usage text and errors stay next to its options.
package cli
