package main_test

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"testing"

	"github.com/batonhq/baton/leadership"
	"go.uber.org/goleak"
)

// baton is the binary under test, built by TestMain.
var baton string

// TestMain builds the baton binary once; run again as BATON_TEST_CHILD, the
// test binary is the command that `baton run` supervises.
func TestMain(m *testing.M) {
	if mode := os.Getenv("BATON_TEST_CHILD"); mode != "" {
		os.Exit(childMain(mode))
	}
	dir, err := os.MkdirTemp("", "baton-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	baton = filepath.Join(dir, "baton")
	if runtime.GOOS == "windows" {
		baton += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", baton, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// childModes are the supervised command's further modes, by name.
var childModes = map[string]func(mode string, t leadership.Token) int{}

// childMain is the supervised command. It prints what it got, appends
// "start HOLDER TERM" and "stop HOLDER TERM" to $BATON_TEST_LOG so tests can
// order the commands of several processes, and then, by mode: "serve" runs
// until SIGTERM or SIGINT, "exit3" exits 3 at once, "exit0" exits 0; the
// modes in childModes do what they say.
func childMain(mode string) int {
	t, err := leadership.ParseToken(os.Getenv("BATON_TOKEN"))
	if err != nil {
		fmt.Println("child: bad token:", err)
		return 99
	}
	if run, ok := childModes[mode]; ok {
		return run(mode, t)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	fmt.Printf("child: env role=%s term=%s token=%s\n", os.Getenv("BATON_ROLE"), os.Getenv("BATON_TERM"), t)
	appendLog(fmt.Sprintf("start %s %d", t.Holder, t.Revision))
	switch mode {
	case "exit3":
		return 3
	case "exit0":
		return 0
	}
	select {
	case sig := <-sigs:
		appendLog(fmt.Sprintf("stop %s %d", t.Holder, t.Revision))
		fmt.Printf("child: got %v\n", sig)
		return 0
	case <-time.After(time.Minute):
		return 98 // orphaned: never outlive a test run
	}
}

// appendLog appends a line to $BATON_TEST_LOG; O_APPEND orders the lines
// of every process.
func appendLog(line string) {
	f, err := os.OpenFile(os.Getenv("BATON_TEST_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(line + "\n")
}
