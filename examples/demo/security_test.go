package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
)

// runAgainst runs the demo on url for at most a few seconds and returns its
// output and error.
func runAgainst(t *testing.T, url string) (string, error) {
	t.Helper()
	opts := defaultOptions()
	opts.natsURL, opts.candidates, opts.every, opts.duration = url, 2, 0, 5*time.Second
	var out bytes.Buffer
	err := run(context.Background(), opts, &out, nil)
	return out.String(), err
}

// TestRunWithoutPermissions checks that a user who may not use JetStream
// ends the demo with one clear error, and that the password in the URL is
// printed nowhere.
func TestRunWithoutPermissions(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	url := fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", natstest.UserNoJetStream, natstest.SecuredPassword, srv.Port())
	start := time.Now()
	out, err := runAgainst(t, url)
	t.Logf("after %v: err = %v\noutput:\n%s", time.Since(start).Round(time.Millisecond), err, out)
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), "$JS.API.INFO") {
		t.Fatalf("err = %v, want a permission error naming $JS.API.INFO", err)
	}
	if strings.Contains(err.Error()+out, natstest.SecuredPassword) {
		t.Fatal("the password was printed")
	}
}

// TestRunWithoutLeaseWrites checks that a user who may use JetStream but not
// write leases ends the demo with the election's permission error, naming
// the subject, instead of running with no leader.
func TestRunWithoutLeaseWrites(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	url := fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", natstest.UserNoKVPublish, natstest.SecuredPassword, srv.Port())
	out, err := runAgainst(t, url)
	t.Logf("err = %v\noutput:\n%s", err, out)
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), "$KV.") {
		t.Fatalf("err = %v, want a permission error naming the lease subject", err)
	}
}

// TestRunWithBadURL checks that a server nobody listens on is named in the
// error, not the demo's own proxy, and that credentials are not printed.
func TestRunWithBadURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nobody listens there now
	out, err := runAgainst(t, "nats://user:hunter2@"+addr)
	t.Logf("err = %v\noutput:\n%s", err, out)
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("err = %v, want it to name %s", err, addr)
	}
	if strings.Contains(err.Error()+out, "hunter2") {
		t.Fatal("the password was printed")
	}
}
