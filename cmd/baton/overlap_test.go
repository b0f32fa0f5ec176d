//go:build unix

package main_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// The tests in this file prove on real processes that two commands of one
// role never run at once. Each command takes an exclusive flock on a file
// all of them share and hands it to a child of its own, so the lock is free
// only once the command and its child are both gone; a command that finds
// it taken logs "overlap" and exits. A test that wants to see one command
// end gives it a FIFO to hold open with its child, and reads to EOF.

func init() {
	for _, mode := range []string{"hold", "stubborn", "abandon"} {
		childModes[mode] = holdMain
		childModes["grandchild-"+mode] = grandchildMain
	}
}

// holdEnv makes the supervised command run as mode ("hold" stops on
// SIGTERM, "stubborn" ignores it, "abandon" exits at once and leaves its
// child running), take the lock at lock, log to log, and hold the FIFO at
// alive open unless alive is empty.
func holdEnv(mode, log, lock, alive string) []string {
	return append(childEnv(mode, log), "BATON_TEST_LOCK="+lock, "BATON_TEST_ALIVE="+alive)
}

// holdMain takes the lock, starts a child that shares it (and the FIFO),
// logs "start HOLDER TERM UNIXNANO" and runs until SIGTERM or SIGINT, which
// "stubborn" ignores; it prints SIGHUP and goes on.
func holdMain(mode string, t leadership.Token) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	lock, err := os.OpenFile(os.Getenv("BATON_TEST_LOCK"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Println("child: lock:", err)
		return 99
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		appendLog(fmt.Sprintf("overlap %s %d %d", t.Holder, t.Revision, time.Now().UnixNano()))
		fmt.Printf("child: overlap: another command holds the lock (%v)\n", err)
		return 97
	}
	shared := []*os.File{lock}
	if path := os.Getenv("BATON_TEST_ALIVE"); path != "" {
		alive, err := os.OpenFile(path, os.O_WRONLY, 0) // the test holds the read end: this does not block
		if err != nil {
			fmt.Println("child: alive:", err)
			return 99
		}
		shared = append(shared, alive)
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Println("child:", err)
		return 99
	}
	child := exec.Command(exe)
	child.Env = append(os.Environ(), "BATON_TEST_CHILD=grandchild-"+mode)
	child.ExtraFiles = shared
	if err := child.Start(); err != nil {
		fmt.Println("child: start its child:", err)
		return 99
	}
	appendLog(fmt.Sprintf("start %s %d %d", t.Holder, t.Revision, time.Now().UnixNano()))
	fmt.Printf("child: holding the lock: term %d, pid %d, its child's pid %d\n", t.Revision, os.Getpid(), child.Process.Pid)
	if mode == "abandon" {
		return 0
	}
	orphaned := time.After(time.Minute) // never outlive a test run
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				fmt.Printf("child: got %v\n", sig)
				continue
			}
			if mode == "stubborn" {
				fmt.Printf("child: ignoring %v\n", sig)
				continue
			}
			_ = child.Wait() // it got the signal too (the group's)
			appendLog(fmt.Sprintf("stop %s %d %d", t.Holder, t.Revision, time.Now().UnixNano()))
			return 0
		case <-orphaned:
			return 98
		}
	}
}

// grandchildMain holds the files it inherited until SIGTERM or SIGINT,
// which "grandchild-stubborn" and "grandchild-abandon" ignore, as they
// ignore SIGHUP.
func grandchildMain(mode string, _ leadership.Token) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	orphaned := time.After(time.Minute)
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGHUP || mode != "grandchild-hold" {
				continue
			}
			return 0
		case <-orphaned:
			return 98
		}
	}
}

// openAlive makes a FIFO at path and opens its read end, without waiting
// for a writer, so that its reads take a deadline.
func openAlive(t *testing.T, path string) *os.File {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// awaitGone waits for every process holding the FIFO alive open to be gone
// and returns when it saw that.
func awaitGone(t *testing.T, alive *os.File, what string) time.Time {
	t.Helper()
	if err := alive.SetReadDeadline(time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, alive); err != nil {
		t.Fatalf("waited %v for %s to be gone: %v", wait, what, err)
	}
	return time.Now()
}

// event is a line of the commands' log.
type event struct {
	what, holder string
	term         uint64
	at           time.Time
}

func (e event) String() string {
	return fmt.Sprintf("%s %s term %d at %s", e.what, e.holder, e.term, e.at.Format("15:04:05.000"))
}

// readEvents returns the commands' log as events.
func readEvents(t *testing.T, path string) []event {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var events []event
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Fatalf("log line %q: want WHAT HOLDER TERM UNIXNANO", line)
		}
		term, err1 := strconv.ParseUint(f[2], 10, 64)
		ns, err2 := strconv.ParseInt(f[3], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("log line %q: %v %v", line, err1, err2)
		}
		events = append(events, event{what: f[0], holder: f[1], term: term, at: time.Unix(0, ns)})
	}
	return events
}

// noOverlap fails the test if a command found the lock taken.
func noOverlap(t *testing.T, events []event) {
	t.Helper()
	for _, e := range events {
		if e.what == "overlap" {
			t.Fatalf("%s's command started while another held the lock: %v", e.holder, events)
		}
	}
}

// started returns the log's start event of holder, failing the test on any
// overlap.
func started(t *testing.T, events []event, holder string) event {
	t.Helper()
	noOverlap(t, events)
	var found []event
	for _, e := range events {
		if e.what == "start" && e.holder == holder {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s's command started %d times, want once: %v", holder, len(found), events)
	}
	return found[0]
}

// TestRunKilledLeaderTakesItsCommandAlong kills the leading baton with
// SIGKILL: its command and the command's child die at once, and the
// successor's command starts only once both are gone.
func TestRunKilledLeaderTakesItsCommandAlong(t *testing.T) {
	srv := natstest.RunServer(t)
	dir := t.TempDir()
	log, lock := filepath.Join(dir, "commands.log"), filepath.Join(dir, "work.lock")
	alive := openAlive(t, filepath.Join(dir, "a.alive"))
	common := []string{"run", "--server", srv.URL(), "--role", "killed", "--ttl", "2s", "--grace", "300ms"}
	a := startBaton(t, "baton a", holdEnv("hold", log, lock, alive.Name()), append(common, "--instance", "a", "--", self(t))...)
	a.await(t, "child: holding the lock")
	a.signal(t, syscall.SIGHUP) // passed on through the supervisor
	a.await(t, "child: got hangup")
	b := startBaton(t, "baton b", holdEnv("hold", log, lock, ""), append(common, "--instance", "b", "--", self(t))...)
	b.await(t, "campaigning")

	killed := time.Now()
	if err := syscall.Kill(a.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 baton a: %v", err)
	}
	gone := awaitGone(t, alive, "baton a's command and its child")
	b.await(t, "child: holding the lock")
	successor := started(t, readEvents(t, log), "b")
	if !successor.at.After(gone) {
		t.Fatalf("b's command started at %v, before a's was seen gone at %v", successor.at, gone)
	}
	if took := gone.Sub(killed); took > time.Second {
		t.Fatalf("a's command and its child outlived baton a by %v", took)
	}
	t.Logf("after kill -9 of baton a: its command and child gone in %v; b's command started %v later",
		gone.Sub(killed), successor.at.Sub(gone))

	b.signal(t, syscall.SIGTERM)
	if code := b.exit(t); code != 0 {
		t.Fatalf("baton b exited with %d after SIGTERM, want its command's 0", code)
	}
}

// TestRunResignWaitsForAStubbornCommand asks the leader to resign while its
// command ignores SIGTERM: the lease passes only after the command was
// killed at the end of --grace, so the successor's command starts after it.
func TestRunResignWaitsForAStubbornCommand(t *testing.T) {
	const grace = 3 * time.Second
	srv := natstest.RunServer(t)
	url := srv.URL()
	dir := t.TempDir()
	log, lock := filepath.Join(dir, "commands.log"), filepath.Join(dir, "work.lock")
	alive := openAlive(t, filepath.Join(dir, "a.alive"))
	common := []string{"run", "--server", url, "--role", "stubborn", "--ttl", "6s", "--grace", grace.String()}
	a := startBaton(t, "baton a", holdEnv("stubborn", log, lock, alive.Name()), append(common, "--instance", "a", "--", self(t))...)
	a.await(t, "child: holding the lock")
	b := startBaton(t, "baton b", holdEnv("hold", log, lock, ""), append(common, "--instance", "b", "--", self(t))...)
	b.await(t, "campaigning")

	resigned := time.Now()
	if code, stdout, stderr := runBaton(t, "resign", "--server", url, "--role", "stubborn"); code != 0 {
		t.Fatalf("baton resign: %d %q %q", code, stdout, stderr)
	}
	gone := awaitGone(t, alive, "baton a's command and its child")
	noOverlap(t, readEvents(t, log))
	a.await(t, "sending SIGKILL")
	b.await(t, "child: holding the lock")
	successor := started(t, readEvents(t, log), "b")
	if !successor.at.After(gone) {
		t.Fatalf("b's command started at %v, %v before a's was seen gone", successor.at, gone.Sub(successor.at))
	}
	if took := gone.Sub(resigned); took < grace {
		t.Fatalf("a's command, which ignores SIGTERM, was gone %v after the resign, before the grace %v", took, grace)
	}
	t.Logf("after the resign: a's command killed and gone in %v; b's command started %v later",
		gone.Sub(resigned), successor.at.Sub(gone))

	for _, p := range []*proc{a, b} {
		p.signal(t, syscall.SIGTERM)
		if code := p.exit(t); code != 0 {
			t.Fatalf("%s exited with %d after SIGTERM, want 0", p.name, code)
		}
	}
}

// TestRunSilentCutStopsAStubbornCommandBeforeTheLeaseCanPass cuts the
// leader's link silently while its command ignores SIGTERM: the leader
// demotes itself early enough that the command is killed, at the end of
// --grace, before the lease can expire, so the successor's command starts
// only after it. The grace is half the TTL: demoting at the renew deadline
// the TTL alone derives (2.01s) would leave the command running past the
// lease.
func TestRunSilentCutStopsAStubbornCommandBeforeTheLeaseCanPass(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	dir := t.TempDir()
	log, lock := filepath.Join(dir, "commands.log"), filepath.Join(dir, "work.lock")
	alive := openAlive(t, filepath.Join(dir, "a.alive"))
	common := []string{"run", "--role", "cut", "--ttl", "3s", "--grace", "1500ms", "--ping-interval", "300ms"}
	a := startBaton(t, "baton a", holdEnv("stubborn", log, lock, alive.Name()), append(common, "--server", proxy.URL(), "--instance", "a", "--", self(t))...)
	a.await(t, "child: holding the lock")
	b := startBaton(t, "baton b", holdEnv("hold", log, lock, ""), append(common, "--server", srv.URL(), "--instance", "b", "--", self(t))...)
	b.await(t, "campaigning")

	cut := time.Now()
	proxy.Blackhole()
	gone := awaitGone(t, alive, "baton a's command and its child")
	noOverlap(t, readEvents(t, log))
	a.await(t, "sending SIGKILL")
	b.await(t, "child: holding the lock")
	successor := started(t, readEvents(t, log), "b")
	if !successor.at.After(gone) {
		t.Fatalf("b's command started at %v, %v before a's was seen gone", successor.at, gone.Sub(successor.at))
	}
	t.Logf("after the cut: a's command killed and gone in %v; b's command started %v later",
		gone.Sub(cut), successor.at.Sub(gone))

	proxy.Heal()
	for _, p := range []*proc{a, b} {
		p.signal(t, syscall.SIGTERM)
		if code := p.exit(t); code != 0 {
			t.Fatalf("%s exited with %d after SIGTERM, want 0", p.name, code)
		}
	}
}

// TestRunCommandExitKillsWhatItLeft runs a command that exits at once and
// leaves a child running: the child is killed, and baton exits with the
// command's status.
func TestRunCommandExitKillsWhatItLeft(t *testing.T) {
	srv := natstest.RunServer(t)
	dir := t.TempDir()
	alive := openAlive(t, filepath.Join(dir, "alive"))
	env := holdEnv("abandon", filepath.Join(dir, "commands.log"), filepath.Join(dir, "work.lock"), alive.Name())
	p := startBaton(t, "baton", env, "run", "--server", srv.URL(), "--role", "abandon", "--ttl", "2s", "--", self(t))
	p.await(t, "child: holding the lock")
	awaitGone(t, alive, "the child the command left")
	if code := p.exit(t); code != 0 {
		t.Fatalf("baton exited with %d, want the command's 0", code)
	}
}
