// Package natstest runs real, embedded nats-server instances for tests and demos:
// a single server (with or without JetStream), an n-node JetStream cluster, and a
// TCP fault proxy that can blackhole, delay or cut client connections.
//
// Every start waits, with a deadline, until the server accepts connections and
// JetStream is enabled; StartCluster and Cluster.WaitReady also wait until every
// node is routed to the others and a JetStream meta leader is elected. Servers
// listen on 127.0.0.1 only and never log. Shutdown and Close wait for their
// goroutines to finish, so callers can check for goroutine leaks.
//
// The Start*/New* functions work without a testing.TB (for demo programs); the
// Run* functions and Connect fail the test on error and register cleanups.
//
// The package does not simulate hard crashes (Shutdown is a clean stop in which
// raft leaders step down first) and does not tune raft timers. Restart reuses
// the client port; if another process took it meanwhile, Restart fails with
// ErrStartFailed.
package natstest
