package chaos

import (
	"sync/atomic"

	"github.com/nats-io/nats.go"
)

// linkState is what a candidate knows of its NATS link, kept up to date by
// the client's callbacks. The beacon reads it instead of asking the client:
// while a cut link keeps nats.go reconnecting, the client holds its
// connection's lock through each attempt's dial and wait for the server's
// INFO (up to the connect timeout), so IsConnected, ConnectedUrl and Stats
// block, and beacons that asked them stopped exactly while a fault was
// under way: the harness lost sight of what a cut-off leader believed.
type linkState struct {
	connected  atomic.Bool
	url        atomic.Pointer[string]
	reconnects atomic.Uint64
}

// watchLink starts tracking nc's link. It sets the client's disconnect,
// closed and reconnect callbacks, so it is called once per connection.
func watchLink(nc *nats.Conn) *linkState {
	l := &linkState{}
	l.up(nc)
	nc.SetDisconnectErrHandler(func(*nats.Conn, error) { l.connected.Store(false) })
	nc.SetClosedHandler(func(*nats.Conn) { l.connected.Store(false) })
	nc.SetReconnectHandler(func(nc *nats.Conn) {
		l.reconnects.Add(1)
		l.up(nc)
	})
	return l
}

// up records nc's current server. It runs at the start and in the client's
// callback goroutine, never on the beacon's path.
func (l *linkState) up(nc *nats.Conn) {
	url := nc.ConnectedUrl()
	l.url.Store(&url)
	l.connected.Store(nc.IsConnected())
}

// URL is the server the client last connected to.
func (l *linkState) URL() string {
	if u := l.url.Load(); u != nil {
		return *u
	}
	return ""
}
