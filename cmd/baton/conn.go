package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

// connFlags are the NATS connection settings every subcommand takes. Each
// defaults to the environment variable the nats CLI reads.
type connFlags struct {
	url, creds, nkey, user, password string
	cert, key, ca                    string
	pingInterval                     time.Duration
}

// register adds the connection flags to fs.
func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "server", envOr("NATS_URL", nats.DefaultURL), "NATS server URLs, comma-separated ($NATS_URL)")
	fs.StringVar(&c.creds, "creds", os.Getenv("NATS_CREDS"), "user credentials file ($NATS_CREDS)")
	fs.StringVar(&c.nkey, "nkey", os.Getenv("NATS_NKEY"), "nkey seed file ($NATS_NKEY)")
	fs.StringVar(&c.user, "user", os.Getenv("NATS_USER"), "user name or token ($NATS_USER)")
	fs.StringVar(&c.password, "password", os.Getenv("NATS_PASSWORD"), "password ($NATS_PASSWORD)")
	fs.StringVar(&c.cert, "tlscert", os.Getenv("NATS_CERT"), "TLS client certificate file ($NATS_CERT)")
	fs.StringVar(&c.key, "tlskey", os.Getenv("NATS_KEY"), "TLS client key file ($NATS_KEY)")
	fs.StringVar(&c.ca, "tlsca", os.Getenv("NATS_CA"), "TLS CA file to verify the server ($NATS_CA)")
	fs.DurationVar(&c.pingInterval, "ping-interval", nats.DefaultPingInterval,
		"how often the client pings the server; a link that stays silent for 2 pings is dropped and redialled")
}

// envOr returns the variable's value, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// connect dials the server. The connection never buffers a publish while
// disconnected (ReconnectBufSize(-1)), so a lease write is never replayed
// late, and it reconnects forever.
func (c *connFlags) connect(name string) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.ReconnectBufSize(-1),
		nats.MaxReconnects(-1),
		nats.PingInterval(c.pingInterval),
	}
	if c.creds != "" {
		opts = append(opts, nats.UserCredentials(c.creds))
	}
	if c.nkey != "" {
		opt, err := nats.NkeyOptionFromSeed(c.nkey)
		if err != nil {
			return nil, fmt.Errorf("nkey %s: %w", c.nkey, err)
		}
		opts = append(opts, opt)
	}
	switch {
	case c.user != "" && c.password != "":
		opts = append(opts, nats.UserInfo(c.user, c.password))
	case c.user != "":
		opts = append(opts, nats.Token(c.user))
	}
	switch {
	case c.cert != "" && c.key != "":
		opts = append(opts, nats.ClientCert(c.cert, c.key))
	case c.cert != "" || c.key != "":
		return nil, errors.New("--tlscert and --tlskey go together")
	}
	if c.ca != "" {
		opts = append(opts, nats.RootCAs(c.ca))
	}
	nc, err := nats.Connect(c.url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", c.url, err)
	}
	return nc, nil
}
