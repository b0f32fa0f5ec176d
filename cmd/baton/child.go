package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/batonhq/baton/leadership"
)

// child runs the command once per term. Its methods are safe for
// concurrent use: runTerm runs on the election's callback goroutine,
// signal and stop on baton's main goroutine.
type child struct {
	self  string // baton's executable, which supervises the command (startWork)
	argv  []string
	grace time.Duration
	say   func(string, ...any)

	mu       sync.Mutex // guards the fields below
	w        *work      // the running command, nil between terms
	done     chan struct{}
	status   int  // the last command's exit status
	stopping bool // baton is stopping: start no command
}

// runTerm runs the command for the term t until it exits or ctx (the
// term) ends; then the command is stopped, SIGKILL after the grace, and
// runTerm returns only once it has exited. ok is true when the command
// exited on its own while the term lasted and baton is not stopping.
func (c *child) runTerm(ctx context.Context, t leadership.Token) (status int, ok bool) {
	w, done, err := c.start(t)
	if err != nil {
		c.say("cannot start %s: %v", c.argv[0], err)
		return 126, true
	}
	if w == nil {
		<-ctx.Done() // stopping: the term ends with the election
		return 0, false
	}
	c.say("started %s, pid %d", c.argv[0], w.pid())
	select {
	case <-done:
	case <-ctx.Done():
		c.say("term %d ended: sending SIGTERM to %s (pid %d)", t.Revision, c.argv[0], w.pid())
		c.terminate(w, done, terminateSignal)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w = nil
	c.say("%s (pid %d) exited with status %d", c.argv[0], w.pid(), c.status)
	return c.status, ctx.Err() == nil && !c.stopping
}

// start starts the command, unless baton is stopping (then w is nil).
// done is closed once it has exited and c.status holds its status.
func (c *child) start(t leadership.Token) (*work, chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		return nil, nil, nil
	}
	env := append(os.Environ(),
		"BATON_ROLE="+t.Role,
		"BATON_TERM="+strconv.FormatUint(t.Revision, 10),
		"BATON_TOKEN="+t.String(),
	)
	w, err := startWork(c.self, c.argv, env)
	if err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		status := exitStatus(w.wait())
		c.mu.Lock()
		c.status = status
		c.mu.Unlock()
		close(done)
	}()
	c.w, c.done = w, done
	return w, done, nil
}

// terminate sends sig, then SIGKILL once the grace has passed, and returns
// when the command has exited.
func (c *child) terminate(w *work, done <-chan struct{}, sig os.Signal) {
	if err := w.signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		c.say("signal %s: %v", c.argv[0], err)
	}
	timer := time.NewTimer(c.grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		c.say("%s still running %v after %v: sending SIGKILL", c.argv[0], sig, c.grace)
		w.kill()
		<-done
	}
}

// signal passes sig to the running command, if any.
func (c *child) signal(sig os.Signal) {
	c.mu.Lock()
	w := c.w
	c.mu.Unlock()
	if w != nil {
		_ = w.signal(sig)
	}
}

// stop makes sure no command runs again, passes sig to the running one and
// waits for it to exit (SIGKILL after the grace). It returns the exit
// status of the command that ran, 0 if none did.
func (c *child) stop(sig os.Signal) int {
	c.mu.Lock()
	c.stopping = true
	w, done := c.w, c.done
	c.mu.Unlock()
	if w == nil {
		return 0
	}
	c.terminate(w, done, sig)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}
