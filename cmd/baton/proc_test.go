package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// wait bounds every wait of these tests.
const wait = 10 * time.Second

// proc is a baton process started by a test, with its output as lines.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lines
	next int // the first line await has not looked at
	done chan struct{}
}

// startBaton starts the binary with args and env added; it is killed, if
// still running, when the test ends.
func startBaton(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(baton, args...), out: newLines(), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// The supervised command inherits the output; do not wait for it past
	// baton's own exit.
	p.cmd.WaitDelay = time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(wait):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", p.name, p.out)
		}
	})
	return p
}

// await waits for the next line containing s and returns it.
func (p *proc) await(t *testing.T, s string) string {
	t.Helper()
	deadline := time.After(wait)
	for {
		changed := p.out.changed()
		for ; p.next < p.out.len(); p.next++ {
			if line := p.out.line(p.next); strings.Contains(line, s) {
				p.next++
				return line
			}
		}
		select {
		case <-changed:
		case <-p.done:
			if p.next >= p.out.len() {
				t.Fatalf("%s exited without printing %q", p.name, s)
			}
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s to print %q", wait, p.name, s)
		}
	}
}

// exit waits for the process to exit and returns its status.
func (p *proc) exit(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(wait):
		t.Fatalf("timed out after %v waiting for %s to exit", wait, p.name)
		return -1
	}
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s: %v", p.name, err)
	}
}

// runBaton runs the binary to completion and returns its status and output.
func runBaton(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(baton, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("baton %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// lines collects written output as lines and signals each change.
type lines struct {
	mu     sync.Mutex
	buf    []byte
	all    []string
	notify chan struct{} // closed and replaced on each change
}

func newLines() *lines { return &lines{notify: make(chan struct{})} }

// Write implements io.Writer.
func (l *lines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.all = append(l.all, string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	close(l.notify)
	l.notify = make(chan struct{})
	return len(b), nil
}

func (l *lines) changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notify
}

func (l *lines) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

func (l *lines) line(i int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all[i]
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n") + "\n" + string(l.buf)
}
