package natstest

import (
	"crypto/tls"
	"testing"

	"github.com/nats-io/nats.go"
)

// RunServer starts a JetStream server on a random port with its own store
// directory, shuts it down when the test ends, and fails the test if it cannot
// start.
func RunServer(tb testing.TB) *Server {
	tb.Helper()
	return RunServerWithOptions(tb, DefaultOptions())
}

// RunServerWithOptions is RunServer with explicit options. An empty StoreDir
// becomes a directory of the test's own, kept across Shutdown and Restart
// until the test ends.
func RunServerWithOptions(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.JetStream && opts.StoreDir == "" {
		opts.StoreDir = tb.TempDir()
	}
	s, err := StartServer(opts)
	if err != nil {
		tb.Fatalf("natstest: start server: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return s
}

// TLSPair returns a server TLS configuration for Options.TLS and the client
// configuration that trusts it, failing the test if they cannot be made.
func TLSPair(tb testing.TB) (serverCfg, clientCfg *tls.Config) {
	tb.Helper()
	serverCfg, clientCfg, err := NewTLS()
	if err != nil {
		tb.Fatal(err)
	}
	return serverCfg, clientCfg
}

// RunCluster starts an n-node JetStream cluster, shuts it down when the test
// ends, and fails the test if it cannot start.
func RunCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	c, err := StartCluster(n)
	if err != nil {
		tb.Fatalf("natstest: start cluster: %v", err)
	}
	tb.Cleanup(c.Shutdown)
	return c
}

// RunProxy starts a Proxy to target and closes it when the test ends.
func RunProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	p, err := NewProxy(target)
	if err != nil {
		tb.Fatalf("natstest: start proxy: %v", err)
	}
	tb.Cleanup(func() {
		if err := p.Close(); err != nil {
			tb.Errorf("natstest: %v", err)
		}
	})
	return p
}

// Connect connects to url (one URL or several, comma-separated) with
// ClientOptions named after the test, then opts, and closes the connection
// when the test ends.
func Connect(tb testing.TB, url string, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(url, append(ClientOptions("natstest "+tb.Name()), opts...)...)
	if err != nil {
		tb.Fatalf("natstest: connect to %s: %v", url, err)
	}
	tb.Cleanup(nc.Close)
	return nc
}
