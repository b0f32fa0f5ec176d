package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// errBoom is what the failing program in the tests returns.
var errBoom = errors.New("boom")

// interruptWait bounds the wait for a signal sent to this process.
const interruptWait = 5 * time.Second

// parseOne accepts exactly the argument "ok" and answers -h with
// flag.ErrHelp.
func parseOne(args []string, _ io.Writer) (string, error) {
	switch {
	case len(args) == 1 && args[0] == "-h":
		return "", flag.ErrHelp
	case len(args) == 1 && args[0] == "ok":
		return args[0], nil
	default:
		return "", fmt.Errorf("unexpected arguments %q", args)
	}
}

func TestMainExitCodes(t *testing.T) {
	succeed := func(context.Context, string) error { return nil }
	fail := func(context.Context, string) error { return fmt.Errorf("step: %w", errBoom) }
	for _, tc := range []struct {
		name   string
		args   []string
		run    func(context.Context, string) error
		code   int
		stderr string
	}{
		{"success", []string{"ok"}, succeed, ExitOK, ""},
		{"help", []string{"-h"}, fail, ExitOK, ""},
		{"bad command line", []string{"extra", "args"}, fail, ExitUsage, "prog: unexpected arguments"},
		{"run fails", []string{"ok"}, fail, ExitFailed, "prog: step: boom"},
		{"not interrupted but cancelled", []string{"ok"}, func(context.Context, string) error { return context.Canceled }, ExitFailed, "prog: context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := Main("prog", tc.args, &stderr, parseOne, tc.run)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			if got := strings.TrimSpace(stderr.String()); tc.stderr == "" && got != "" || !strings.HasPrefix(got, tc.stderr) {
				t.Errorf("stderr %q, want %q", got, tc.stderr)
			}
		})
	}
}

// TestMainInterruptIsCleanExit sends SIGINT to this process while the
// program runs: the program sees its context end and returns the context's
// error, which Main reports as a clean exit.
func TestMainInterruptIsCleanExit(t *testing.T) {
	var stderr bytes.Buffer
	code := Main("prog", []string{"ok"}, &stderr, parseOne, func(ctx context.Context, _ string) error {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			return fmt.Errorf("send SIGINT: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopping: %w", ctx.Err())
		case <-time.After(interruptWait):
			return fmt.Errorf("waited %v for SIGINT to end the context", interruptWait)
		}
	})
	if code != ExitOK || stderr.Len() != 0 {
		t.Fatalf("exit code %d with stderr %q, want %d and nothing", code, stderr.String(), ExitOK)
	}
}
