package natstest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is one embedded nats-server that can be stopped and restarted with the
// same name, client port, store and (in a cluster) routes. Its methods are safe
// for concurrent use.
type Server struct {
	node node

	// opMu serializes Restart and Shutdown so a stop never overlaps a start.
	opMu sync.Mutex

	mu   sync.Mutex
	ns   *server.Server // guarded by mu; the latest instance, possibly stopped
	port int            // guarded by mu; the client port, fixed after the first start
}

// StartServer starts a standalone server and waits until it accepts
// connections and, when opts.JetStream is set, JetStream is enabled.
func StartServer(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	n, err := newStandaloneNode(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{node: n, port: opts.Port}
	if err := s.start(); err != nil {
		s.removeOwnedDir()
		return nil, err
	}
	return s, nil
}

// URL returns the client URL, nats://127.0.0.1:port. It stays valid across
// restarts.
func (s *Server) URL() string {
	return "nats://" + net.JoinHostPort(loopback, strconv.Itoa(s.Port()))
}

// Port returns the client port.
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Name returns the server name, stable across restarts.
func (s *Server) Name() string {
	return s.node.name
}

// StoreDir returns the JetStream store directory, or "" without JetStream.
func (s *Server) StoreDir() string {
	return s.node.storeDir
}

// NATS returns the embedded server of the latest start. After Restart it is a
// different instance, so callers should not keep it.
func (s *Server) NATS() *server.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ns
}

// Running reports whether the server is running.
func (s *Server) Running() bool {
	ns := s.NATS()
	return ns != nil && ns.Running()
}

// Shutdown stops the server and waits until it has stopped. A store directory
// created by StartServer is removed; one given in Options or created by a
// Cluster is kept, so Restart resumes from it. Calling Shutdown again does
// nothing.
func (s *Server) Shutdown() {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.stop()
	s.removeOwnedDir()
}

// Restart stops the server (if running) and starts it again with the same
// name, client port, store directory and cluster routes, then waits until it
// accepts connections and JetStream is enabled. In a cluster, use
// Cluster.WaitReady afterwards to wait until the node has rejoined.
func (s *Server) Restart() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.stop()
	return s.start()
}

func (s *Server) stop() {
	if ns := s.NATS(); ns != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
	}
}

func (s *Server) removeOwnedDir() {
	if s.node.ownsDir {
		_ = os.RemoveAll(s.node.storeDir)
	}
}

// start runs a new server instance and waits until it is ready; it publishes
// the instance only when ready, so NATS never returns a half-started server.
func (s *Server) start() error {
	if s.node.jetStream {
		// A directory removed by Shutdown is recreated empty.
		if err := os.MkdirAll(s.node.storeDir, 0o700); err != nil {
			return fmt.Errorf("%w: %s: store dir: %w", ErrStartFailed, s.node.name, err)
		}
	}
	ns, err := server.NewServer(s.node.serverOptions(s.Port()))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrStartFailed, s.node.name, err)
	}
	log := &fatalLog{}
	ns.SetLoggerV2(log, false, false, false)
	ns.Start()
	if err := s.waitStarted(ns, log); err != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
		return err
	}
	addr, ok := ns.Addr().(*net.TCPAddr)
	if !ok {
		ns.Shutdown()
		ns.WaitForShutdown()
		return fmt.Errorf("%w: %s: client listener is not TCP", ErrStartFailed, s.node.name)
	}
	s.mu.Lock()
	s.ns, s.port = ns, addr.Port
	s.mu.Unlock()
	return nil
}

func (s *Server) waitStarted(ns *server.Server, log *fatalLog) error {
	err := poll(s.node.readyTimeout, func() error {
		if msg := log.message(); msg != "" {
			return fmt.Errorf("%w: %s", errFatal, msg)
		}
		return s.readiness(ns)
	})
	switch {
	case err == nil:
		return nil
	case log.message() != "":
		return fmt.Errorf("%w: %s: %s", ErrStartFailed, s.node.name, log.message())
	default:
		return fmt.Errorf("%w: %s: %w", ErrNotReady, s.node.name, err)
	}
}

// readiness reports what the server still lacks. A cluster node only needs
// JetStream enabled locally: the meta leader needs a quorum of nodes, which is
// the cluster's concern (Cluster.WaitReady).
func (s *Server) readiness(ns *server.Server) error {
	if ns.Addr() == nil {
		return errors.New("client listener not up")
	}
	if s.node.route != nil && ns.ClusterAddr() == nil {
		return errors.New("route listener not up")
	}
	if !s.node.jetStream {
		return nil
	}
	if !ns.JetStreamEnabled() {
		return errors.New("JetStream not enabled")
	}
	if s.node.route == nil && !ns.JetStreamIsCurrent() {
		return errors.New("JetStream not current")
	}
	return nil
}
