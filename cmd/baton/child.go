package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/batonhq/baton/leadership"
)

// child runs the command once per term. Its methods are safe for
// concurrent use: runTerm runs on the election's callback goroutine,
// signal and stop on baton's main goroutine.
type child struct {
	argv  []string
	grace time.Duration
	say   func(string, ...any)

	mu       sync.Mutex // guards the fields below
	cmd      *exec.Cmd  // the running command, nil between terms
	done     chan struct{}
	status   int  // the last command's exit status
	stopping bool // baton is stopping: start no command
}

// runTerm runs the command for the term t until it exits or ctx (the
// term) ends; then the command is stopped, SIGKILL after the grace, and
// runTerm returns only once it has exited. ok is true when the command
// exited on its own while the term lasted and baton is not stopping.
func (c *child) runTerm(ctx context.Context, t leadership.Token) (status int, ok bool) {
	cmd, done, err := c.start(t)
	if err != nil {
		c.say("cannot start %s: %v", c.argv[0], err)
		return 126, true
	}
	if cmd == nil {
		<-ctx.Done() // stopping: the term ends with the election
		return 0, false
	}
	c.say("started %s, pid %d", c.argv[0], cmd.Process.Pid)
	select {
	case <-done:
	case <-ctx.Done():
		c.say("term %d ended: sending SIGTERM to %s (pid %d)", t.Revision, c.argv[0], cmd.Process.Pid)
		c.terminate(cmd, done, terminateSignal)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmd, c.status = nil, exitStatus(cmd.ProcessState)
	c.say("%s (pid %d) exited with status %d", c.argv[0], cmd.Process.Pid, c.status)
	return c.status, ctx.Err() == nil && !c.stopping
}

// start starts the command, unless baton is stopping (then cmd is nil).
func (c *child) start(t leadership.Token) (*exec.Cmd, chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		return nil, nil, nil
	}
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env = append(os.Environ(),
		"BATON_ROLE="+t.Role,
		"BATON_TERM="+strconv.FormatUint(t.Revision, 10),
		"BATON_TOKEN="+t.String(),
	)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = ownProcessGroup()
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is read from ProcessState
		close(done)
	}()
	c.cmd, c.done = cmd, done
	return cmd, done, nil
}

// terminate sends sig, then SIGKILL once the grace has passed, and returns
// when the command has exited.
func (c *child) terminate(cmd *exec.Cmd, done <-chan struct{}, sig os.Signal) {
	if err := signalGroup(cmd, sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		c.say("signal %s: %v", c.argv[0], err)
	}
	timer := time.NewTimer(c.grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		c.say("%s still running %v after %v: sending SIGKILL", c.argv[0], sig, c.grace)
		_ = killGroup(cmd)
		<-done
	}
}

// signal passes sig to the running command, if any.
func (c *child) signal(sig os.Signal) {
	c.mu.Lock()
	cmd := c.cmd
	c.mu.Unlock()
	if cmd != nil {
		_ = signalGroup(cmd, sig)
	}
}

// stop makes sure no command runs again, passes sig to the running one and
// waits for it to exit (SIGKILL after the grace). It returns the exit
// status of the command that ran, 0 if none did.
func (c *child) stop(sig os.Signal) int {
	c.mu.Lock()
	c.stopping = true
	cmd, done := c.cmd, c.done
	c.mu.Unlock()
	if cmd == nil {
		return 0
	}
	c.terminate(cmd, done, sig)
	return exitStatus(cmd.ProcessState) // set before done was closed
}
