package natstest

import "errors"

var (
	// ErrInvalidOptions is returned by StartServer and StartCluster when an
	// argument is out of range; the message names the argument.
	ErrInvalidOptions = errors.New("natstest: invalid options")

	// ErrStartFailed is returned by StartServer, Server.Restart and StartCluster
	// when nats-server reported a fatal error while starting (for example its
	// port is already in use, or JetStream could not open its store).
	ErrStartFailed = errors.New("natstest: server failed to start")

	// ErrNotReady is returned by StartServer, Server.Restart and StartCluster when
	// a server did not accept connections or enable JetStream before its deadline.
	ErrNotReady = errors.New("natstest: server not ready")

	// ErrClusterNotReady is returned by StartCluster and Cluster.WaitReady when the
	// running nodes were not all routed to each other with a current JetStream
	// meta leader before the deadline.
	ErrClusterNotReady = errors.New("natstest: cluster not ready")

	// ErrNoStreamLeader is returned by Cluster.StreamLeader and
	// Cluster.WaitStreamLeader when not exactly one running server leads the stream.
	ErrNoStreamLeader = errors.New("natstest: no single stream leader")

	// ErrInvalidTarget is returned by NewProxy when the target is neither
	// "host:port" nor a nats://host:port URL.
	ErrInvalidTarget = errors.New("natstest: invalid proxy target")
)
