//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
)

// work is one term's CMD as baton sees it on Unix: the supervisor running
// it (see supervise_unix.go), and the lifeline that keeps it alive.
type work struct {
	cmd      *exec.Cmd // the supervisor
	lifeline *os.File  // the write end; closing it kills CMD's group
}

// startWork starts argv with env under a supervisor, which self, baton's
// own executable, runs.
func startWork(self string, argv, env []string) (*work, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("lifeline: %w", err)
	}
	cmd := exec.Command(self, append([]string{superviseCommand, "--"}, argv...)...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{r}
	cmd.SysProcAttr = supervisorAttr()
	err = cmd.Start()
	_ = r.Close() // the supervisor holds its own copy
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	return &work{cmd: cmd, lifeline: w}, nil
}

// pid is the supervisor's process ID: signals sent to it reach CMD's group.
func (w *work) pid() int { return w.cmd.Process.Pid }

// signal passes sig to CMD's group, through the supervisor.
func (w *work) signal(sig os.Signal) error { return w.cmd.Process.Signal(sig) }

// kill makes the supervisor kill CMD's group with SIGKILL.
func (w *work) kill() { _ = w.lifeline.Close() }

// wait waits for the supervisor, which exits once CMD has, and returns its
// state, which carries CMD's status.
func (w *work) wait() *os.ProcessState {
	_ = w.cmd.Wait() // the status is read from ProcessState
	w.kill()         // nothing is left to kill: this only frees the pipe
	return w.cmd.ProcessState
}
