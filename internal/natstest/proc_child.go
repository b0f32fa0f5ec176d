package natstest

import (
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerEnv is the environment variable that turns a re-executed binary into
// a nats-server process: it holds the path of the server's configuration
// file. ProcServer sets it; MaybeRunServer acts on it.
const ServerEnv = "BATON_NATSTEST_SERVER"

// MaybeRunServer runs a nats-server and exits when ServerEnv is set, and
// returns at once otherwise. Call it first in TestMain and in main of any
// binary that starts a ProcServer or ProcCluster: the server processes are
// that same binary re-executed, so no nats-server needs to be installed and
// the server is the module's pinned version.
func MaybeRunServer() {
	path, ok := os.LookupEnv(ServerEnv)
	if !ok {
		return
	}
	if err := runServerProcess(path); err != nil {
		fmt.Fprintf(os.Stderr, "nats-server: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runServerProcess does what nats-server's own main does with "-c path":
// parse the configuration file, start the server with its signal handling
// (SIGTERM stops it cleanly), and wait until it has shut down.
func runServerProcess(path string) error {
	opts, err := server.ProcessConfigFile(path)
	if err != nil {
		return err
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return err
	}
	s.ConfigureLogger()
	if err := server.Run(s); err != nil {
		return err
	}
	s.WaitForShutdown()
	return nil
}
