package natstest

import (
	"fmt"
	"net"
)

// freePorts returns n distinct ports that were free a moment ago. Routes must
// name their peers' ports before any node starts, so the ports cannot be left
// to the servers; all listeners stay open until the end so no port repeats.
func freePorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("natstest: pick a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
