//go:build windows

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// forwardedSignals are those Windows delivers to a console program.
var forwardedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// terminateSignal: Windows cannot send SIGTERM to another process, so a
// command is stopped by killing it.
var terminateSignal os.Signal = os.Kill

// stopsBaton reports whether sig also stops baton: both do.
func stopsBaton(os.Signal) bool { return true }

// ownProcessGroup keeps the default process attributes.
func ownProcessGroup() *syscall.SysProcAttr { return nil }

// signalGroup sends sig to the command; Windows supports only os.Kill.
func signalGroup(cmd *exec.Cmd, sig os.Signal) error {
	if sig != os.Kill {
		sig = os.Kill
	}
	return cmd.Process.Signal(sig)
}

// killGroup kills the command.
func killGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }

// exitStatus is the command's exit status.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }
