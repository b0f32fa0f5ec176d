//go:build unix && !linux

package main

import "syscall"

// supervisorSignals are the signals the supervisor catches: those baton
// forwards. Without a parent-death signal, the lifeline alone tells the
// supervisor that baton died.
var supervisorSignals = forwardedSignals

// supervisorAttr puts the supervisor in a process group of its own, so a
// terminal's Ctrl-C reaches CMD only through baton.
func supervisorAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// commandAttr makes CMD the leader of a process group of its own, which the
// supervisor signals.
func commandAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
