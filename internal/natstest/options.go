package natstest

import (
	"crypto/tls"
	"fmt"
	"time"
)

// DefaultReadyTimeout bounds how long a single server may take to accept
// connections and enable JetStream when Options.ReadyTimeout is zero.
const DefaultReadyTimeout = 10 * time.Second

// JetStream limits are small so several servers fit on a small test machine.
const (
	jetStreamMaxMemory = 256 << 20
	jetStreamMaxStore  = 1 << 30
)

// Options configures a single server. The zero value starts a server without
// JetStream on a random port; use DefaultOptions for a JetStream server.
type Options struct {
	// JetStream enables JetStream. False starts a plain NATS server, which is
	// how callers test the error a client gets when JetStream is missing.
	JetStream bool
	// StoreDir is the JetStream store. Empty means a fresh temporary directory
	// that Shutdown removes; a directory given here is never removed.
	StoreDir string
	// Port is the client port; 0 picks a free one. Restart keeps the port.
	Port int
	// Name is the server name; empty means a generated unique name.
	Name string
	// ReadyTimeout bounds each start; 0 means DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Users, when set, turns authentication on: only these users may
	// connect, each with its own permissions.
	Users []User
	// TLS, when set, makes clients connect with TLS using this server
	// configuration (see NewTLS).
	TLS *tls.Config
}

// DefaultOptions returns the options RunServer uses: JetStream on, random port,
// own store directory.
func DefaultOptions() Options {
	return Options{JetStream: true}
}

func (o Options) validate() error {
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("%w: Port %d is outside 0..65535", ErrInvalidOptions, o.Port)
	}
	if o.ReadyTimeout < 0 {
		return fmt.Errorf("%w: ReadyTimeout %s is negative", ErrInvalidOptions, o.ReadyTimeout)
	}
	return nil
}

func (o Options) readyTimeout() time.Duration {
	if o.ReadyTimeout == 0 {
		return DefaultReadyTimeout
	}
	return o.ReadyTimeout
}
