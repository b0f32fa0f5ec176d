package main_test

import (
	"strings"
	"testing"
)

func TestHelpAndUsageErrors(t *testing.T) {
	for _, sub := range []string{"run", "status", "watch", "resign"} {
		code, stdout, _ := runBaton(t, sub, "--help")
		if code != 0 || !strings.Contains(stdout, "Usage: baton "+sub) {
			t.Errorf("baton %s --help: status %d, output %q", sub, code, stdout)
		}
	}
	if code, stdout, _ := runBaton(t, "--help"); code != 0 || !strings.Contains(stdout, "resign") {
		t.Errorf("baton --help: status %d, output %q", code, stdout)
	}
	if _, stdout, _ := runBaton(t, "run", "--help"); !strings.Contains(stdout, "SIGKILL") || !strings.Contains(stdout, "Exit status") {
		t.Errorf("baton run --help does not explain stopping and the exit status:\n%s", stdout)
	}
	for _, args := range [][]string{
		{},
		{"nope"},
		{"run", "--role", "r"},
		{"run", "--", "true"},
		{"run", "--role", "r", "--on-exit", "maybe", "--", "true"},
		{"run", "--role", "r", "--ttl", "1500ms", "--", "true"},
		{"run", "--role", "r", "--ttl", "1s", "--", "true"},
		{"resign"},
		{"status", "--bogus"},
	} {
		if code, _, _ := runBaton(t, args...); code != 2 {
			t.Errorf("baton %q: status %d, want 2 (usage)", args, code)
		}
	}
	code, _, stderr := runBaton(t, "run", "--role", "r", "--ttl", "2s", "--grace", "3s", "--", "true")
	for _, want := range []string{"--grace 3s", "--ttl 2s", "at most --grace "} {
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("baton run --ttl 2s --grace 3s: status %d, output %q, want 2 and %q", code, stderr, want)
		}
	}
}
