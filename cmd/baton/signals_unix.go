//go:build unix

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// forwardedSignals are passed to the command; stopsBaton says which also
// stop baton.
var forwardedSignals = []os.Signal{
	syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH,
}

// terminateSignal asks the command to stop at the end of a term.
var terminateSignal os.Signal = syscall.SIGTERM

// stopsBaton reports whether sig also stops baton.
func stopsBaton(sig os.Signal) bool { return sig == syscall.SIGINT || sig == syscall.SIGTERM }

// ownProcessGroup puts the command in a process group of its own, so a
// terminal's Ctrl-C reaches it only through baton (once), and signals reach
// the processes it starts.
func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends sig to the command's process group.
func signalGroup(cmd *exec.Cmd, sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return cmd.Process.Signal(sig)
	}
	if err := syscall.Kill(-cmd.Process.Pid, s); err != nil {
		return cmd.Process.Signal(sig) // the group is gone; the leader may remain
	}
	return nil
}

// killGroup sends SIGKILL to the command's process group.
func killGroup(cmd *exec.Cmd) error { return signalGroup(cmd, syscall.SIGKILL) }

// exitStatus is the command's exit status, 128+N when signal N killed it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
