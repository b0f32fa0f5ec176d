//go:build unix && !linux

package natstest

import "syscall"

// procAttr has no parent-death signal outside Linux: server processes are
// ended by their owner's Shutdown only.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
