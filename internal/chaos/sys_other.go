//go:build !linux

package chaos

import "syscall"

// sysProcAttr has no parent-death signal outside Linux: candidates are
// ended by the harness's cleanups only.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
