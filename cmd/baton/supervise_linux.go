package main

import (
	"os"
	"slices"
	"syscall"
)

// parentDeath is the signal Linux sends the supervisor when baton dies, a
// second way to learn it besides the lifeline. It must be one the
// supervisor can catch: with SIGKILL the supervisor would die before it
// killed CMD's group, and CMD would be orphaned. SIGPWR is one nothing sends
// a process in practice, so it is never mistaken for a signal to relay.
const parentDeath = syscall.SIGPWR

// supervisorSignals are the signals the supervisor catches: those baton
// forwards, and parentDeath.
var supervisorSignals = slices.Concat(forwardedSignals, []os.Signal{parentDeath})

// supervisorAttr puts the supervisor in a process group of its own, so a
// terminal's Ctrl-C reaches CMD only through baton, and asks for parentDeath
// when baton dies. Linux sends it when the thread that started the
// supervisor exits, which can happen while baton lives; the supervisor
// checks that its parent changed before it acts.
func supervisorAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: parentDeath}
}

// commandAttr makes CMD the leader of a process group of its own, which the
// supervisor signals, and has Linux kill CMD if the supervisor itself is
// killed (by the OOM killer, say) and can no longer do it. The thread
// caveat above does not apply: the supervisor never locks a goroutine to a
// thread, so none of its threads exits before it does.
func commandAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
