package transport_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
)

// secOpTimeout is the operation timeout of the security tests; each error
// must come back within it.
const secOpTimeout = 2 * time.Second

// connectAs connects to srv as one of natstest's secured users.
func connectAs(t *testing.T, srv *natstest.Server, user string) *nats.Conn {
	t.Helper()
	return natstest.Connect(t, srv.URL(), nats.UserInfo(user, natstest.SecuredPassword), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
}

// longCtx is far longer than secOpTimeout, so an error that comes back in
// time was recognised, not timed out.
func longCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// expectDenied checks err is a permanent ErrPermissionDenied naming subject,
// returned within secOpTimeout.
func expectDenied(t *testing.T, what string, err error, took time.Duration, subject string) {
	t.Helper()
	if !errors.Is(err, transport.ErrPermissionDenied) || transport.ClassOf(err) != transport.ClassPermanent {
		t.Fatalf("%s: err = %v (class %v), want a permanent ErrPermissionDenied", what, err, transport.ClassOf(err))
	}
	if !strings.Contains(err.Error(), subject) {
		t.Fatalf("%s: error %q does not name %s", what, err, subject)
	}
	if took >= secOpTimeout {
		t.Fatalf("%s: took %v, want under OpTimeout %v", what, took, secOpTimeout)
	}
	t.Logf("%s after %v: %v", what, took.Round(time.Millisecond), err)
}

func TestOpenWithUserAndPassword(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	store, err := transport.Open(longCtx(t), connectAs(t, srv, natstest.UserAdmin), transport.Options{OpTimeout: secOpTimeout})
	if err != nil {
		t.Fatalf("open as admin: %v", err)
	}
	store.Close()
	_, err = nats.Connect(srv.URL(), nats.UserInfo(natstest.UserAdmin, "wrong"), nats.NoReconnect())
	if !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("connect with a wrong password: err = %v, want nats.ErrAuthorization", err)
	}
}

func TestOpenWithoutJetStreamPermission(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	nc := connectAs(t, srv, natstest.UserNoJetStream)
	start := time.Now()
	_, err := transport.Open(longCtx(t), nc, transport.Options{OpTimeout: secOpTimeout})
	expectDenied(t, "open without $JS permission", err, time.Since(start), `"$JS.API.INFO"`)
}

func TestOpenWithoutStreamCreatePermission(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	nc := connectAs(t, srv, natstest.UserNoCreate)
	start := time.Now()
	_, err := transport.Open(longCtx(t), nc, transport.Options{OpTimeout: secOpTimeout})
	expectDenied(t, "open without stream create permission", err, time.Since(start), `"$JS.API.STREAM.CREATE.KV_baton"`)

	// An existing bucket needs no create permission.
	admin, err := transport.Open(longCtx(t), connectAs(t, srv, natstest.UserAdmin), transport.Options{OpTimeout: secOpTimeout})
	if err != nil {
		t.Fatalf("create the bucket as admin: %v", err)
	}
	admin.Close()
	store, err := transport.Open(longCtx(t), nc, transport.Options{OpTimeout: secOpTimeout})
	if err != nil {
		t.Fatalf("open the existing bucket without create permission: %v", err)
	}
	store.Close()
}

func TestWritesWithoutKVPublishPermission(t *testing.T) {
	srv := natstest.RunSecuredServer(t)
	store, err := transport.Open(longCtx(t), connectAs(t, srv, natstest.UserNoKVPublish), transport.Options{OpTimeout: secOpTimeout})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer store.Close()
	subject := `"$KV.baton.scheduler"`

	start := time.Now()
	_, err = store.Acquire(context.Background(), "scheduler", record("a", 5*time.Second))
	expectDenied(t, "acquire", err, time.Since(start), subject)

	lease := transport.Lease{Role: "scheduler", Term: 1, Revision: 1, Record: record("a", 5*time.Second)}
	start = time.Now()
	_, err = store.Renew(context.Background(), lease)
	expectDenied(t, "renew", err, time.Since(start), subject)

	start = time.Now()
	err = store.Release(context.Background(), lease)
	expectDenied(t, "release", err, time.Since(start), subject)
}

func TestOpenOverTLS(t *testing.T) {
	serverTLS, clientTLS := natstest.TLSPair(t)
	opts := natstest.DefaultOptions()
	opts.TLS = serverTLS
	srv := natstest.RunServerWithOptions(t, opts)
	store, err := transport.Open(longCtx(t), natstest.Connect(t, srv.URL(), nats.Secure(clientTLS)), transport.Options{OpTimeout: secOpTimeout})
	if err != nil {
		t.Fatalf("open over TLS: %v", err)
	}
	store.Close()
	_, err = nats.Connect(srv.URL(), nats.Secure(nil), nats.NoReconnect())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("connect without trusting the certificate: err = %v, want a certificate error", err)
	}
	t.Logf("untrusted certificate: %v", err)
}

// TestOpenIsBoundedByOpTimeout opens through a link that drops everything
// with a context that has no deadline: Open must give up after OpTimeout.
func TestOpenIsBoundedByOpTimeout(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	nc := natstest.Connect(t, proxy.URL())
	proxy.Blackhole()
	defer proxy.Heal()
	const opTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err := transport.Open(context.Background(), nc, transport.Options{OpTimeout: opTimeout})
	took := time.Since(start)
	if err == nil || took > opTimeout+time.Second {
		t.Fatalf("open through a blackhole: err = %v after %v, want an error after about %v", err, took, opTimeout)
	}
	t.Logf("after %v: %v", took.Round(time.Millisecond), err)
}
