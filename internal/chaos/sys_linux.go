package chaos

import "syscall"

// sysProcAttr makes the kernel kill a candidate when the harness dies, so a
// crashed or timed-out test never leaves candidates campaigning.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
