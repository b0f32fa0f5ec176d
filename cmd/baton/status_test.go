package main_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/batonhq/baton/internal/natstest"
)

func TestStatusWatchAndResign(t *testing.T) {
	srv := natstest.RunServer(t)
	log := filepath.Join(t.TempDir(), "commands.log")
	url := srv.URL()

	if code, _, stderr := runBaton(t, "status", "--server", url); code != 1 || !strings.Contains(stderr, "bucket not found") {
		t.Fatalf("status of a missing bucket: %d %q, want 1 and bucket not found", code, stderr)
	}
	leader := startBaton(t, "baton run", childEnv("serve", log), "run", "--server", url, "--role", "sched", "--ttl", "2s",
		"--instance", "host.example-1", "--", self(t))
	leader.await(t, "child: env")
	watcher := startBaton(t, "baton watch", nil, "watch", "--server", url, "--role", "sched", "--json")
	first := watcher.await(t, `"event":"leader"`)
	if !strings.Contains(first, `"holder":"host.example-1"`) {
		t.Fatalf("watch: %s", first)
	}

	code, stdout, stderr := runBaton(t, "status", "--server", url, "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, stderr)
	}
	var st struct {
		Bucket string
		Roles  []struct {
			Role, Holder, Token string
			Term                uint64
			ExpiresInMS         int64 `json:"expires_in_ms"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, stdout)
	}
	if len(st.Roles) != 1 || st.Roles[0].Holder != "host.example-1" || st.Roles[0].Term == 0 ||
		st.Roles[0].ExpiresInMS <= 0 || st.Roles[0].ExpiresInMS > 2000 || !strings.HasPrefix(st.Roles[0].Token, "sched/") {
		t.Fatalf("status --json: %+v", st)
	}
	if code, stdout, _ := runBaton(t, "status", "--server", url); code != 0 || !strings.Contains(stdout, "host.example-1") || !strings.Contains(stdout, "EXPIRES IN") {
		t.Fatalf("status: %d\n%s", code, stdout)
	}

	if code, _, stderr := runBaton(t, "resign", "--server", url, "--role", "nobody"); code != 3 {
		t.Fatalf("resign of a role without leader: %d %q, want 3", code, stderr)
	}
	code, stdout, stderr = runBaton(t, "resign", "--server", url, "--role", "sched")
	if code != 0 || !strings.Contains(stdout, "host.example-1 resigned term") {
		t.Fatalf("resign: %d %q %q", code, stdout, stderr)
	}
	leader.await(t, "sending SIGTERM")
	leader.await(t, "demoted from sched: resigned")
	watcher.await(t, `"event":"released"`)
	// Alone, it takes the role again after its hold-off.
	leader.await(t, "leading sched")
	leader.await(t, "child: env")
	watcher.await(t, `"event":"leader"`)

	leader.signal(t, syscall.SIGTERM)
	if code := leader.exit(t); code != 0 {
		t.Fatalf("baton run exited with %d, want 0", code)
	}
	watcher.await(t, `"event":"released"`)
	watcher.signal(t, syscall.SIGINT)
	if code := watcher.exit(t); code != 0 {
		t.Fatalf("baton watch exited with %d, want 0", code)
	}
}
