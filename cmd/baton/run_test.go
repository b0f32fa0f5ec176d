package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/batonhq/baton/internal/natstest"
)

// self is the test binary, run by baton as its command.
func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// childEnv makes the supervised command behave as mode and log to log.
func childEnv(mode, log string) []string {
	// A race-enabled binary sleeps 1s at exit unless told not to.
	return []string{"BATON_TEST_CHILD=" + mode, "BATON_TEST_LOG=" + log, "GORACE=atexit_sleep_ms=0"}
}

// readLog returns the lines the commands appended.
func readLog(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(string(data), " ", "_"))
}

func TestRunLosesLeadershipToSilentCutAndRegainsIt(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	log := filepath.Join(t.TempDir(), "commands.log")
	common := []string{"run", "--role", "job", "--ttl", "2s", "--ping-interval", "300ms"}

	a := startBaton(t, "baton a", childEnv("serve", log), append(common, "--server", proxy.URL(), "--instance", "a", "--", self(t))...)
	a.await(t, "leading job")
	a.await(t, "child: env role=job")
	b := startBaton(t, "baton b", childEnv("serve", log), append(common, "--server", srv.URL(), "--instance", "b", "--", self(t))...)
	b.await(t, "campaigning")

	proxy.Blackhole()
	a.await(t, "sending SIGTERM")
	a.await(t, "demoted from job")
	b.await(t, "leading job")
	b.await(t, "child: env")

	proxy.Heal()
	b.signal(t, syscall.SIGTERM) // b stops its command, releases, and a takes over
	if code := b.exit(t); code != 0 {
		t.Fatalf("baton b exited with %d after SIGTERM, want its command's 0", code)
	}
	a.await(t, "leading job")
	a.await(t, "child: env")
	a.signal(t, syscall.SIGTERM)
	if code := a.exit(t); code != 0 {
		t.Fatalf("baton a exited with %d, want 0", code)
	}

	got := readLog(t, log)
	var order []string
	for _, l := range got {
		f := strings.Split(l, "_")
		order = append(order, f[0]+" "+f[1])
	}
	want := []string{"start a", "stop a", "start b", "stop b", "start a", "stop a"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("commands ran in the order %v, want %v (log %v)", order, want, got)
	}
}

func TestRunExitsWithCommandStatusAndReleases(t *testing.T) {
	srv := natstest.RunServer(t)
	log := filepath.Join(t.TempDir(), "commands.log")
	p := startBaton(t, "baton", childEnv("exit3", log), "run", "--server", srv.URL(), "--role", "once", "--ttl", "2s", "--instance", "solo", "--", self(t))
	line := p.await(t, "child: env")
	if !strings.Contains(line, "role=once") || !strings.Contains(line, "token=once/") || !strings.Contains(line, "/solo") {
		t.Fatalf("the command's environment: %q", line)
	}
	if code := p.exit(t); code != 3 {
		t.Fatalf("baton exited with %d, want the command's 3", code)
	}
	code, stdout, stderr := runBaton(t, "status", "--server", srv.URL(), "--json")
	if code != 0 || strings.Contains(stdout, `"once"`) {
		t.Fatalf("the lease is still held after baton exited: status %d\n%s%s", code, stdout, stderr)
	}
}

func TestRunCampaignsAgainAfterCommandExit(t *testing.T) {
	srv := natstest.RunServer(t)
	log := filepath.Join(t.TempDir(), "commands.log")
	p := startBaton(t, "baton", childEnv("exit0", log), "run", "--server", srv.URL(), "--role", "again", "--ttl", "2s",
		"--on-exit", "campaign", "--", self(t))
	first := p.await(t, "leading again")
	p.await(t, "campaigning again")
	p.await(t, "demoted from again: resigned")
	second := p.await(t, "leading again")
	if first == second {
		t.Fatalf("the second term is the first: %q", second)
	}
	// Interrupted during the hold-off, while no command runs.
	p.await(t, "campaigning again")
	p.signal(t, syscall.SIGINT)
	if code := p.exit(t); code != 0 {
		t.Fatalf("baton exited with %d after SIGINT, want 0", code)
	}
}
