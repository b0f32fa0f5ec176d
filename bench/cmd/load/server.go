package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// serverEnv turns this binary, re-executed, into the nats-server process:
// it holds "port:store dir". The server is the module's pinned version and
// its CPU is its own process's, apart from the client's.
const serverEnv = "BATON_LOAD_NATS_SERVER"

// maybeServe runs the nats-server and exits when serverEnv is set.
func maybeServe() {
	spec, ok := os.LookupEnv(serverEnv)
	if !ok {
		return
	}
	portText, dir, _ := strings.Cut(spec, ":")
	port, err := strconv.Atoi(portText)
	if err == nil {
		err = serve(port, dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nats-server:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serve runs a JetStream server as nats-server's own main does, so SIGTERM
// stops it cleanly.
func serve(port int, dir string) error {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true})
	if err != nil {
		return err
	}
	if err := server.Run(s); err != nil {
		return err
	}
	s.WaitForShutdown()
	return nil
}

// serverProc is a nats-server child process with an empty store.
type serverProc struct {
	cmd *exec.Cmd
	url string
	dir string
}

// startServer starts a fresh server process and waits until it takes
// clients.
func startServer() (*serverProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "baton-load-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s", serverEnv, port, dir))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serverProc{cmd: cmd, url: fmt.Sprintf("nats://127.0.0.1:%d", port), dir: dir}
	deadline := time.Now().Add(30 * time.Second)
	for {
		nc, err := nats.Connect(p.url)
		if err == nil {
			nc.Close()
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, errors.Join(errors.New("nats-server process not ready within 30s"), err)
		}
		time.Sleep(50 * time.Millisecond) // a process starting: polled
	}
}

// pid is the server process's id.
func (p *serverProc) pid() int { return p.cmd.Process.Pid }

// stop stops the process (SIGTERM, then SIGKILL) and removes its store.
func (p *serverProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	_ = os.RemoveAll(p.dir)
}

// freePort is a free local TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
