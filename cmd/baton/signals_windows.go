//go:build windows

package main

import (
	"os"
	"syscall"
)

// forwardedSignals are those Windows delivers to a console program.
var forwardedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// terminateSignal: Windows cannot send SIGTERM to another process, so a
// command is stopped by killing it.
var terminateSignal os.Signal = os.Kill

// stopsBaton reports whether sig also stops baton: both do.
func stopsBaton(os.Signal) bool { return true }

// exitStatus is the command's exit status.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }
