package main

import (
	"os"
	"os/exec"
)

// internalSubcommands: Windows runs CMD without a supervisor.
var internalSubcommands = map[string]subcommand{}

// work is one term's CMD as baton sees it on Windows: the command itself.
// Windows has no process groups to signal, and CMD is not killed with baton:
// that would take a job object.
type work struct {
	cmd *exec.Cmd
}

// startWork starts argv with env; self is unused on Windows.
func startWork(_ string, argv, env []string) (*work, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &work{cmd: cmd}, nil
}

// pid is the command's process ID.
func (w *work) pid() int { return w.cmd.Process.Pid }

// signal kills the command: Windows can send no other signal to another
// process.
func (w *work) signal(os.Signal) error { return w.cmd.Process.Kill() }

// kill kills the command.
func (w *work) kill() { _ = w.cmd.Process.Kill() }

// wait waits for the command and returns its state.
func (w *work) wait() *os.ProcessState {
	_ = w.cmd.Wait() // the status is read from ProcessState
	return w.cmd.ProcessState
}
