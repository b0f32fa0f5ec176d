package chaos

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// tailBytes is how much of a candidate's output is kept for reports.
const tailBytes = 256 << 10

// proc is one candidate process started by the harness.
type proc struct {
	id   string
	cmd  *exec.Cmd
	out  *natstest.TailBuffer
	done chan struct{} // closed once the process exited and was reaped

	mu       sync.Mutex
	paused   bool // guarded by mu; stopped with SIGSTOP and not yet continued
	expected bool // guarded by mu; the harness ended it on purpose
}

// startProc re-executes exe as a candidate with cfg in CandidateEnv.
func startProc(exe string, cfg candidateConfig) (*proc, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: encode candidate config: %w", ErrInfrastructure, err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), CandidateEnv+"="+string(raw))
	out := natstest.NewTailBuffer(tailBytes)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start candidate %s: %w", ErrInfrastructure, cfg.ID, err)
	}
	p := &proc{id: cfg.ID, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the exit status is read from cmd.ProcessState
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// unexpectedExit describes the process's end if the harness did not cause
// it, and returns "" while it runs or when it was ended on purpose.
func (p *proc) unexpectedExit() string {
	if !p.exited() {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.expected {
		return ""
	}
	return p.cmd.ProcessState.String()
}

// pause stops the process with SIGSTOP.
func (p *proc) pause() error { return p.signalPaused(syscall.SIGSTOP, true) }

// resume continues a paused process with SIGCONT.
func (p *proc) resume() error { return p.signalPaused(syscall.SIGCONT, false) }

// signalPaused sends sig and records whether the process is now paused.
func (p *proc) signalPaused(sig syscall.Signal, paused bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("%w: signal %q to %s: %w", ErrInfrastructure, sig, p.id, err)
	}
	p.paused = paused
	return nil
}

// isPaused reports whether the process is stopped by the harness.
func (p *proc) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// kill ends the process with SIGKILL and waits until it is reaped.
func (p *proc) kill() {
	p.mu.Lock()
	p.expected = true
	p.mu.Unlock()
	// A process that already exited makes Signal fail; done is closed then.
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to stop with SIGTERM (the candidate then stops its
// election, releasing a held lease) and waits up to timeout; a process that
// does not stop in time is killed and reported.
func (p *proc) stop(timeout time.Duration) error {
	p.mu.Lock()
	p.expected = true
	if p.paused {
		// A stopped process would hold the SIGTERM until continued.
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		p.paused = false
	}
	p.mu.Unlock()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !p.exited() {
		p.kill()
		return fmt.Errorf("candidate %s: SIGTERM: %w", p.id, err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		p.dumpAndKill()
		return fmt.Errorf("candidate %s did not stop within %v after SIGTERM (its goroutines at that moment end its output)", p.id, timeout)
	}
	// A candidate stopped before it installed its signal handler dies of
	// the SIGTERM itself, which is as clean: it held nothing yet.
	if p.cmd.ProcessState.ExitCode() != exitOK && !p.killedBy(syscall.SIGTERM) {
		return fmt.Errorf("candidate %s stopped with %s", p.id, p.cmd.ProcessState)
	}
	return nil
}

// dumpTimeout is how long a candidate that did not stop gets to write its
// goroutines' stacks after SIGQUIT.
const dumpTimeout = 2 * time.Second

// dumpAndKill sends SIGQUIT, on which the Go runtime writes every
// goroutine's stack to the candidate's output and exits, so the report of
// a candidate that did not stop shows what it waited on; SIGKILL follows
// if it has not exited by dumpTimeout.
func (p *proc) dumpAndKill() {
	if err := p.cmd.Process.Signal(syscall.SIGQUIT); err == nil {
		t := time.NewTimer(dumpTimeout)
		defer t.Stop()
		select {
		case <-p.done:
			return
		case <-t.C:
		}
	}
	p.kill()
}

// killedBy reports whether the process ended by signal sig.
func (p *proc) killedBy(sig syscall.Signal) bool {
	if !p.exited() {
		return false
	}
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}
