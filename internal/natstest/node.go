package natstest

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// loopback is the only interface servers and proxies listen on.
const loopback = "127.0.0.1"

// node is the fixed configuration of one server across restarts.
type node struct {
	name         string
	jetStream    bool
	storeDir     string
	ownsDir      bool // storeDir was created here and is removed on Shutdown
	readyTimeout time.Duration
	route        *routeConfig // nil for a standalone server
	users        []User
	tls          *tls.Config
}

// routeConfig places a node in a cluster.
type routeConfig struct {
	clusterName string
	port        int
	routes      string // comma-separated nats-route URLs of the other nodes
}

func newStandaloneNode(opts Options) (node, error) {
	n := node{
		name:         opts.Name,
		jetStream:    opts.JetStream,
		storeDir:     opts.StoreDir,
		readyTimeout: opts.readyTimeout(),
		users:        opts.Users,
		tls:          opts.TLS,
	}
	if n.name == "" {
		suffix, err := randomSuffix()
		if err != nil {
			return node{}, err
		}
		n.name = "natstest-" + suffix
	}
	if n.jetStream && n.storeDir == "" {
		dir, err := os.MkdirTemp("", "natstest-"+n.name+"-")
		if err != nil {
			return node{}, fmt.Errorf("natstest: create store dir: %w", err)
		}
		n.storeDir, n.ownsDir = dir, true
	}
	return n, nil
}

func randomSuffix() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("natstest: generate server name: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// serverOptions builds fresh nats-server options for one start; they are not
// reused because the server keeps and mutates the options it was given.
func (n node) serverOptions(port int) *server.Options {
	if port == 0 {
		port = server.RANDOM_PORT
	}
	o := &server.Options{
		ServerName: n.name,
		Host:       loopback,
		Port:       port,
		NoLog:      true,
		NoSigs:     true,
	}
	if n.jetStream {
		o.JetStream = true
		o.StoreDir = n.storeDir
		o.JetStreamMaxMemory = jetStreamMaxMemory
		o.JetStreamMaxStore = jetStreamMaxStore
	}
	for _, u := range n.users {
		o.Users = append(o.Users, u.serverUser())
	}
	if n.tls != nil {
		o.TLSConfig = n.tls.Clone()
		o.TLSTimeout = tlsHandshakeTimeout.Seconds()
	}
	if n.route != nil {
		o.Cluster = server.ClusterOpts{
			Name: n.route.clusterName,
			Host: loopback,
			Port: n.route.port,
		}
		o.Routes = server.RoutesFromStr(n.route.routes)
	}
	return o
}
