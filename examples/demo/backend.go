package main

import (
	"fmt"
	"strings"

	"github.com/batonhq/baton/internal/natstest"
)

// clusterSize is the number of nodes -cluster starts.
const clusterSize = 3

// backend is where the leases live: an embedded server, an embedded cluster
// or an external deployment.
type backend struct {
	// targets are the server URLs the candidates' proxies forward to; the
	// candidates are spread over them.
	targets []string
	// replicas of the lease bucket.
	replicas int
	// label describes the backend in the output.
	label string
	// shutdown stops what the demo started.
	shutdown func()
}

// startBackend starts the embedded server or cluster, or describes the
// external one.
func startBackend(opts options) (*backend, error) {
	replicas := 1
	if opts.cluster {
		replicas = clusterSize
	}
	switch {
	case opts.natsURL != "":
		var targets []string
		for _, u := range strings.Split(opts.natsURL, ",") {
			if u = strings.TrimSpace(u); u != "" {
				targets = append(targets, u)
			}
		}
		if len(targets) == 0 {
			return nil, fmt.Errorf("%w: -nats %q holds no URL", errInvalidOptions, opts.natsURL)
		}
		return &backend{targets: targets, replicas: replicas, label: "external NATS " + redactURLs(opts.natsURL), shutdown: func() {}}, nil
	case opts.cluster:
		c, err := natstest.StartCluster(clusterSize)
		if err != nil {
			return nil, fmt.Errorf("start embedded cluster: %w", err)
		}
		targets := make([]string, len(c.Servers))
		for i, s := range c.Servers {
			targets[i] = s.URL()
		}
		return &backend{targets: targets, replicas: replicas, label: fmt.Sprintf("embedded %d-node JetStream cluster, Replicas %d", clusterSize, replicas), shutdown: c.Shutdown}, nil
	default:
		srv, err := natstest.StartServer(natstest.DefaultOptions())
		if err != nil {
			return nil, fmt.Errorf("start embedded server: %w", err)
		}
		return &backend{targets: []string{srv.URL()}, replicas: replicas, label: "embedded JetStream server", shutdown: srv.Shutdown}, nil
	}
}
