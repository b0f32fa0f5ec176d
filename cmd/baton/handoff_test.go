package main_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// TestStatusListsCandidatesAndResignHandsToOne runs two candidates of one
// role: status lists both in order of succession, and resign --to hands the
// lease to the one named (an unknown one is refused, exit 1).
func TestStatusListsCandidatesAndResignHandsToOne(t *testing.T) {
	srv := natstest.RunServer(t)
	log := filepath.Join(t.TempDir(), "commands.log")
	url := srv.URL()
	first := startBaton(t, "baton run a", childEnv("serve", log), "run", "--server", url, "--role", "pair", "--ttl", "2s",
		"--instance", "a", "--", self(t))
	first.await(t, "child: env")
	second := startBaton(t, "baton run b", childEnv("serve", log), "run", "--server", url, "--role", "pair", "--ttl", "2s",
		"--instance", "b", "--", self(t))
	second.await(t, "campaigning for pair")

	var st struct {
		Roles []struct {
			Role, Holder string
			Candidates   []struct {
				Instance string `json:"instance"`
			}
		}
	}
	listed := func() bool {
		code, stdout, _ := runBaton(t, "status", "--server", url, "--json")
		if code != 0 || json.Unmarshal([]byte(stdout), &st) != nil || len(st.Roles) != 1 {
			return false
		}
		cs := st.Roles[0].Candidates
		return len(cs) == 2 && cs[0].Instance == "a" && cs[1].Instance == "b"
	}
	deadline := time.Now().Add(wait)
	for !listed() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for status to list candidates a then b; last: %+v", wait, st)
		}
		time.Sleep(50 * time.Millisecond) // status is a separate process: poll it
	}

	if code, _, stderr := runBaton(t, "resign", "--server", url, "--role", "pair", "--to", "nobody"); code != 1 || !strings.Contains(stderr, "no such live candidate") {
		t.Fatalf("resign --to an unknown candidate: %d %q, want 1 naming it", code, stderr)
	}
	code, stdout, stderr := runBaton(t, "resign", "--server", url, "--role", "pair", "--to", "b")
	if code != 0 || !strings.Contains(stdout, "handed term") {
		t.Fatalf("resign --to b: %d %q %q", code, stdout, stderr)
	}
	first.await(t, "demoted from pair")
	second.await(t, "leading pair")
	second.await(t, "child: env") // its command runs, and handles SIGTERM

	for _, p := range []*proc{first, second} {
		p.signal(t, syscall.SIGTERM)
		if code := p.exit(t); code != 0 {
			t.Fatalf("baton run exited with %d, want 0", code)
		}
	}
}
