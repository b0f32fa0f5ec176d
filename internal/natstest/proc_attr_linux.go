package natstest

import "syscall"

// procAttr makes the kernel kill a server process when its parent dies, so
// a crashed test never leaves servers running.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
