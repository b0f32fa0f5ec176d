package natstest

import (
	"time"

	"github.com/nats-io/nats.go"
)

// Client defaults: reconnect forever and quickly so tests observe recovery
// within their deadlines.
const (
	clientReconnectWait   = 50 * time.Millisecond
	clientReconnectJitter = 10 * time.Millisecond
)

// ClientOptions returns the nats.go options Connect uses, for programs without
// a testing.TB: no reconnect buffer (a publish during a disconnect fails
// instead of being replayed late), unlimited reconnects every ~50ms, and only
// the given URLs (servers announced by the cluster are ignored, so a client
// behind a Proxy never bypasses it).
func ClientOptions(name string) []nats.Option {
	return []nats.Option{
		nats.Name(name),
		nats.ReconnectBufSize(-1),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(clientReconnectWait),
		nats.ReconnectJitter(clientReconnectJitter, clientReconnectJitter),
		nats.IgnoreDiscoveredServers(),
	}
}
