//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"syscall"
)

// The supervisor keeps CMD from outliving baton. A process group cannot be
// made to die with its parent, and a CMD in a group of its own (so that a
// terminal's Ctrl-C reaches it only through baton) is re-parented to init
// when baton is killed with SIGKILL or by the OOM killer. So on Unix, baton
// runs each term's CMD under a small process of its own binary, `baton
// __supervise -- CMD ARGS...`, that holds the read end of a pipe, the
// lifeline, whose only write end baton holds. The kernel closes that end
// whatever way baton dies; the supervisor then reads EOF and kills CMD's
// whole process group with SIGKILL. Closing the lifeline on purpose is how
// baton kills CMD once --grace has passed, so both ways share one path.
//
// The supervisor stays out of CMD's group, which CMD leads: so it can kill
// the whole group and still live to report CMD's status. It relays the
// signals baton forwards to that group, and exits with CMD's status (128+N
// when signal N killed it), which baton reports as CMD's own. When CMD
// exits, whatever it left running in its group is killed too, so no work of
// a term goes on once baton has seen the term's CMD exit.

// superviseCommand is the hidden subcommand that runs the supervisor.
const superviseCommand = "__supervise"

// internalSubcommands are started by baton itself and listed nowhere.
var internalSubcommands = map[string]subcommand{superviseCommand: superviseMain}

// lifelineFD is the lifeline's file descriptor in the supervisor: the first
// of exec.Cmd.ExtraFiles.
const lifelineFD = 3

// superviseMain is `baton __supervise -- CMD ARGS...`.
func superviseMain(args []string, _, stderr io.Writer) int {
	if len(args) < 2 || args[0] != "--" {
		fmt.Fprintf(stderr, "baton %s: want -- CMD ARGS...\n", superviseCommand)
		return exitUsage
	}
	lifeline, err := openLifeline()
	if err != nil {
		fmt.Fprintf(stderr, "baton %s: %v (it is started by baton run only)\n", superviseCommand, err)
		return exitUsage
	}
	parent := os.Getppid()
	// Caught, not ignored: an ignored signal stays ignored in CMD across exec.
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, supervisorSignals...)
	argv := args[1:]
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = commandAttr()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "baton: cannot start %s: %v\n", argv[0], err)
		return 126
	}
	cut := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, lifeline) // baton never writes: this returns when it closes its end
		close(cut)
	}()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is read from ProcessState
		close(exited)
	}()
	group := -cmd.Process.Pid // CMD leads its own group (commandAttr)
	for {
		select {
		case sig := <-signals:
			if os.Getppid() != parent {
				// Baton died; the lifeline says so too, but a signal may come first.
				return killGroup(group, exited, cmd)
			}
			if s, ok := sig.(syscall.Signal); ok && slices.Contains(forwardedSignals, sig) {
				_ = syscall.Kill(group, s)
			}
		case <-cut:
			// Nothing is written before the kill: a write to a closed
			// stdout would end the supervisor with SIGPIPE first.
			return killGroup(group, exited, cmd)
		case <-exited:
			_ = syscall.Kill(group, syscall.SIGKILL) // what CMD left running; usually no one
			return exitStatus(cmd.ProcessState)
		}
	}
}

// killGroup kills CMD's group with SIGKILL, waits for CMD to exit and
// returns its status.
func killGroup(group int, exited <-chan struct{}, cmd *exec.Cmd) int {
	_ = syscall.Kill(group, syscall.SIGKILL)
	<-exited
	return exitStatus(cmd.ProcessState)
}

// openLifeline returns the lifeline baton passed, and keeps it from CMD: a
// read end open in CMD would do no harm, but CMD has no use for it.
func openLifeline() (*os.File, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(lifelineFD, &st); err != nil {
		return nil, fmt.Errorf("no lifeline on file descriptor %d: %w", lifelineFD, err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil, fmt.Errorf("file descriptor %d is not a pipe", lifelineFD)
	}
	syscall.CloseOnExec(lifelineFD)
	return os.NewFile(lifelineFD, "lifeline"), nil
}
