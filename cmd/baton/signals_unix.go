//go:build unix

package main

import (
	"os"
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

// exitStatus is the command's exit status, 128+N when signal N killed it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
