// Command baton runs a program only while it leads a role, and shows and
// changes who leads, on NATS JetStream KeyValue (see package leadership).
//
//	baton run     --role R [flags] -- CMD ARGS...   run CMD while leading R
//	baton status  [--bucket B] [--json]             every role's holder and lease
//	baton watch   [--role R] [--json]               one line per leadership change
//	baton resign  --role R                          ask R's leader to step down
//
// Every subcommand takes the NATS connection flags, which default to the
// nats CLI's environment variables (NATS_URL, NATS_CREDS, NATS_NKEY,
// NATS_USER, NATS_PASSWORD, NATS_CERT, NATS_KEY, NATS_CA), and --help.
//
// Exit status: 0 on success; 1 when the command failed (connection, bucket,
// election); 2 for a usage error; 3 when `baton resign` found no leader to
// answer. `baton run` exits with its CMD's status under --on-exit release
// (see `baton run --help`).
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses shared by the subcommands; `baton run` adds CMD's own.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNoLeader = 3
)

// subcommand runs one subcommand with its arguments and returns the exit
// status.
type subcommand func(args []string, stdout, stderr io.Writer) int

// subcommands by name, with a line of help each.
var subcommands = map[string]struct {
	run  subcommand
	help string
}{
	"run":    {runMain, "run a command only while this process leads a role"},
	"status": {statusMain, "show every role in a bucket: holder, term, time left on the lease"},
	"watch":  {watchMain, "print one line per leadership change"},
	"resign": {resignMain, "ask the current leader of a role to step down"},
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch picks the subcommand.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	if run, ok := internalSubcommands[args[0]]; ok {
		return run(args[1:], stdout, stderr)
	}
	sub, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "baton: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return sub.run(args[1:], stdout, stderr)
}

// usage prints the list of subcommands.
func usage(w io.Writer) {
	fmt.Fprint(w, `baton: leader election on NATS JetStream KeyValue

Usage:
  baton run     --role R [flags] -- CMD ARGS...
  baton status  [--bucket B] [--json]
  baton watch   [--role R] [--json]
  baton resign  --role R

Commands:
`)
	for _, name := range []string{"run", "status", "watch", "resign"} {
		fmt.Fprintf(w, "  %-7s %s\n", name, subcommands[name].help)
	}
	fmt.Fprint(w, `
Run "baton COMMAND --help" for a command's flags.

Exit status: 0 success, 1 failure, 2 usage error, 3 no leader answered
(resign); "baton run" may exit with its command's status.
`)
}
