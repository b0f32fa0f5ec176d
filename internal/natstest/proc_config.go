//go:build unix

package natstest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sync is how often a server's JetStream store syncs its writes to disk.
type Sync struct {
	// Always syncs every write before it is acknowledged
	// ("sync_interval: always"). It wins over Interval.
	Always bool
	// Interval is the periodic sync ("sync_interval: <duration>"); zero
	// leaves nats-server's default of two minutes.
	Interval time.Duration
}

// String renders the setting as nats-server's sync_interval value.
func (s Sync) String() string {
	switch {
	case s.Always:
		return "always"
	case s.Interval > 0:
		return s.Interval.String()
	default:
		return "default (2m0s)"
	}
}

// procConfig is the fixed configuration of one server process across
// restarts.
type procConfig struct {
	name       string
	storeDir   string
	port       int // client
	httpPort   int // monitoring
	sync       Sync
	route      *routeConfig
	routeAdver string // address the node advertises for routes (see ProcCluster)
}

// render writes the configuration in nats-server's file format, the format
// a user deploys, so the settings the docs name are the ones tested.
func (c procConfig) render() string {
	var b strings.Builder
	q := strconv.Quote
	fmt.Fprintf(&b, "server_name: %s\nhost: %s\nport: %d\nhttp: %s\n", q(c.name), loopback, c.port, q(fmt.Sprintf("%s:%d", loopback, c.httpPort)))
	fmt.Fprintf(&b, "jetstream {\n  store_dir: %s\n  max_memory_store: %d\n  max_file_store: %d\n", q(c.storeDir), jetStreamMaxMemory, jetStreamMaxStore)
	switch {
	case c.sync.Always:
		b.WriteString("  sync_interval: always\n")
	case c.sync.Interval > 0:
		fmt.Fprintf(&b, "  sync_interval: %s\n", q(c.sync.Interval.String()))
	}
	b.WriteString("}\n")
	if r := c.route; r != nil {
		fmt.Fprintf(&b, "cluster {\n  name: %s\n  listen: %s\n", q(r.clusterName), q(fmt.Sprintf("%s:%d", loopback, r.port)))
		if c.routeAdver != "" {
			fmt.Fprintf(&b, "  advertise: %s\n", q(c.routeAdver))
		}
		var routes []string
		for _, u := range strings.Split(r.routes, ",") {
			routes = append(routes, q(u))
		}
		fmt.Fprintf(&b, "  routes: [%s]\n}\n", strings.Join(routes, ", "))
	}
	return b.String()
}
