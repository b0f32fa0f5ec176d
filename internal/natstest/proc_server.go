//go:build unix

package natstest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// procStopTimeout bounds a clean stop (SIGTERM) of a server process.
const procStopTimeout = 15 * time.Second

// ProcServer is a nats-server running as a child process (the current
// binary re-executed, see MaybeRunServer), so it can die for real: SIGKILL
// loses whatever the process had not handed to the kernel, and SIGSTOP
// freezes it. Name, ports and store survive restarts. Its methods are safe
// for concurrent use.
type ProcServer struct {
	cfg     procConfig
	cfgPath string
	exe     string
	out     *TailBuffer // the latest process's output, for failure messages

	mu   sync.Mutex
	cmd  *exec.Cmd     // guarded by mu; the latest process
	done chan struct{} // guarded by mu; closed when the latest process was reaped
}

func newProcServer(exe, dir string, cfg procConfig) (*ProcServer, error) {
	path := filepath.Join(dir, cfg.name+".conf")
	if err := os.WriteFile(path, []byte(cfg.render()), 0o600); err != nil {
		return nil, fmt.Errorf("natstest: write %s config: %w", cfg.name, err)
	}
	return &ProcServer{cfg: cfg, cfgPath: path, exe: exe, out: NewTailBuffer(64 << 10)}, nil
}

// Name returns the server name, stable across restarts.
func (s *ProcServer) Name() string { return s.cfg.name }

// URL returns the client URL, stable across restarts.
func (s *ProcServer) URL() string {
	return "nats://" + net.JoinHostPort(loopback, strconv.Itoa(s.cfg.port))
}

// StoreDir returns the JetStream store directory.
func (s *ProcServer) StoreDir() string { return s.cfg.storeDir }

// Sync returns the server's sync setting.
func (s *ProcServer) Sync() Sync { return s.cfg.sync }

// Output returns the tail of the latest process's log.
func (s *ProcServer) Output() string { return s.out.String() }

// Start starts the process if it is not running and waits until it serves
// clients with JetStream enabled. In a cluster, use ProcCluster.WaitReady
// afterwards to wait until the node has rejoined.
func (s *ProcServer) Start() error {
	if s.Running() {
		return nil
	}
	cmd := exec.Command(s.exe)
	cmd.Env = append(os.Environ(), ServerEnv+"="+s.cfgPath)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrStartFailed, s.cfg.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the exit status is read from cmd.ProcessState
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	err := poll(DefaultReadyTimeout, func() error {
		if isClosed(done) {
			return fmt.Errorf("%w: exited with %v", errFatal, cmd.ProcessState)
		}
		return s.healthz("js-enabled-only=true")
	})
	if err != nil {
		s.Kill()
		return fmt.Errorf("%w: %s: %w; output:\n%s", ErrStartFailed, s.cfg.name, err, s.out.String())
	}
	return nil
}

// Running reports whether the latest process is alive (possibly stopped
// with SIGSTOP).
func (s *ProcServer) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done != nil && !isClosed(s.done)
}

// Kill ends the process with SIGKILL, as a crash or an OOM kill would, and
// waits until it is reaped. A process that is not running is left alone.
func (s *ProcServer) Kill() {
	_ = s.signal(syscall.SIGKILL) // fails only when it already exited
	s.wait()
}

// Pause freezes the process with SIGSTOP; Resume continues it.
func (s *ProcServer) Pause() error { return s.signal(syscall.SIGSTOP) }

// Resume continues a process frozen by Pause.
func (s *ProcServer) Resume() error { return s.signal(syscall.SIGCONT) }

// Shutdown stops the process cleanly with SIGTERM (nats-server's own
// shutdown), killing it if it does not stop within a bound.
func (s *ProcServer) Shutdown() {
	_ = s.signal(syscall.SIGCONT) // a frozen process would hold the SIGTERM
	if s.signal(syscall.SIGTERM) != nil {
		return
	}
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	t := time.NewTimer(procStopTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.Kill()
	}
}

// KilledBySIGKILL reports whether the latest process ended by SIGKILL.
func (s *ProcServer) KilledBySIGKILL() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil || !isClosed(s.done) {
		return false
	}
	ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

var errNotRunning = errors.New("not running")

func (s *ProcServer) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil || isClosed(s.done) {
		return errNotRunning
	}
	return s.cmd.Process.Signal(sig)
}

func (s *ProcServer) wait() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TailBuffer keeps the last bytes written to it: the end of a process's
// output, for failure messages. It is safe for concurrent use.
type TailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte // guarded by mu
}

// NewTailBuffer returns a TailBuffer that keeps the last limit bytes.
func NewTailBuffer(limit int) *TailBuffer { return &TailBuffer{max: limit} }

// Write implements io.Writer.
func (t *TailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

// String returns the bytes kept.
func (t *TailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
