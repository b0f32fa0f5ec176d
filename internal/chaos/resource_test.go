package chaos

import (
	"bytes"
	"net/http"
	"testing"
)

// startTestResource starts a fenced resource for the test and a candidate
// client posting to it.
func startTestResource(t *testing.T) (*resource, *candidate) {
	t.Helper()
	res, err := startResource()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := res.Close(); err != nil {
			t.Errorf("close resource: %v", err)
		}
	})
	c := newCandidate(candidateConfig{ID: "c1", ResourceURL: res.URL()}, nil, &linkState{}, &bytes.Buffer{})
	t.Cleanup(c.client.CloseIdleConnections)
	return res, c
}

func TestResourceFencesWrites(t *testing.T) {
	res, c := startTestResource(t)
	steps := []struct {
		raw  string
		want bool
	}{
		{token(4, "a", "c1").String(), true},
		{token(4, "a", "c1").String(), true},  // same term again
		{token(3, "z", "c1").String(), false}, // older term
		{token(4, "b", "c1").String(), false}, // same revision, other nonce
		{token(9, "c", "c1").String(), true},
		{"not a token", false},
	}
	for i, s := range steps {
		var reply writeReply
		if err := c.post(writePath, writeRequest{Candidate: "c1", Token: s.raw}, &reply); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if reply.Accepted != s.want {
			t.Fatalf("write %d under %q: accepted %v, want %v", i, s.raw, reply.Accepted, s.want)
		}
	}
	led := res.snapshot()
	if len(led.writes) != len(steps) || led.writes[5].ParseErr == "" {
		t.Fatalf("recorded %+v, want %d writes, the last malformed", led.writes, len(steps))
	}
	wantViolations(t, checkFencing(led.writes, nil), CheckFencing, 0)
}

func TestResourceRelaysHealth(t *testing.T) {
	res, c := startTestResource(t)
	ask := func() bool {
		t.Helper()
		var reply beaconReply
		if err := c.post(beaconPath, beacon{Candidate: "c1"}, &reply); err != nil {
			t.Fatal(err)
		}
		return reply.Healthy
	}
	if !ask() {
		t.Fatal("a candidate starts unhealthy")
	}
	res.setHealthy("c1", false)
	if ask() {
		t.Fatal("setHealthy(false) was not relayed")
	}
	res.setHealthy("c1", true)
	if !ask() {
		t.Fatal("setHealthy(true) was not relayed")
	}
	if n := len(res.snapshot().beacons); n != 3 {
		t.Fatalf("recorded %d beacons, want 3", n)
	}
}

func TestResourceRefusesBadRequests(t *testing.T) {
	res, c := startTestResource(t)
	for _, path := range []string{writePath, beaconPath} {
		resp, err := c.client.Post(res.URL()+path, "application/json", bytes.NewReader([]byte("{")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s with bad JSON: %s, want 400", path, resp.Status)
		}
	}
	if err := c.post(writePath, "not an object", &writeReply{}); err == nil {
		t.Error("a write of the wrong shape was answered")
	}
	if led := res.snapshot(); len(led.writes)+len(led.beacons) != 0 {
		t.Fatalf("bad requests were recorded: %+v", led)
	}
}
