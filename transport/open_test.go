package transport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go/jetstream"
)

func TestOpenWithoutJetStream(t *testing.T) {
	srv := natstest.RunServerWithOptions(t, natstest.Options{JetStream: false})
	_, err := transport.Open(ctx(t), natstest.Connect(t, srv.URL()), transport.Options{})
	if !errors.Is(err, transport.ErrNoJetStream) || !errors.Is(err, transport.ErrPermanent) {
		t.Fatalf("open on a server without JetStream: err = %v, want ErrNoJetStream and ErrPermanent", err)
	}
}

func TestOpenMissingBucketWithoutCreate(t *testing.T) {
	srv := natstest.RunServer(t)
	_, err := transport.Open(ctx(t), natstest.Connect(t, srv.URL()), transport.Options{Bucket: transport.BucketConfig{NoCreate: true}})
	if !errors.Is(err, transport.ErrBucketNotFound) {
		t.Fatalf("open a missing bucket with NoCreate: err = %v, want ErrBucketNotFound", err)
	}
}

func TestOpenRejectsMisconfiguredBucket(t *testing.T) {
	cases := map[string]jetstream.KeyValueConfig{
		"history":        {Bucket: "leases", History: 5, LimitMarkerTTL: time.Second},
		"no markers":     {Bucket: "leases", History: 1},
		"bucket ttl":     {Bucket: "leases", History: 1, LimitMarkerTTL: time.Second, TTL: time.Hour},
		"replica counts": {Bucket: "leases", History: 1, LimitMarkerTTL: time.Second, Replicas: 1},
	}
	for name, kvCfg := range cases {
		t.Run(name, func(t *testing.T) {
			srv := natstest.RunServer(t)
			nc := natstest.Connect(t, srv.URL())
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := js.CreateKeyValue(ctx(t), kvCfg); err != nil {
				t.Fatalf("create the misconfigured bucket: %v", err)
			}
			replicas := 1
			if name == "replica counts" {
				replicas = 3
			}
			_, err = transport.Open(ctx(t), nc, transport.Options{Bucket: transport.BucketConfig{Name: "leases", Replicas: replicas}})
			if !errors.Is(err, transport.ErrBucketMisconfigured) {
				t.Fatalf("open: err = %v, want ErrBucketMisconfigured", err)
			}
			t.Logf("error names the setting: %v", err)
		})
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	for name, cfg := range map[string]transport.BucketConfig{
		"bucket name":      {Name: "a.b"},
		"replicas":         {Replicas: 7},
		"limit marker ttl": {LimitMarkerTTL: 10 * time.Millisecond},
	} {
		if _, err := transport.Open(ctx(t), nc, transport.Options{Bucket: cfg}); !errors.Is(err, transport.ErrBucketMisconfigured) {
			t.Errorf("%s: err = %v, want ErrBucketMisconfigured", name, err)
		}
	}
}

func TestOpenOnClosedConnection(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	nc.Close()
	if _, err := transport.Open(ctx(t), nc, transport.Options{}); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("open on a closed connection: err = %v, want ErrClosed", err)
	}
}

// TestWriteWithoutReplyIsUnknown renews through a link that silently drops
// traffic: the renewal may have reached the server, so the store must not
// call it a failure or a success.
func TestWriteWithoutReplyIsUnknown(t *testing.T) {
	srv := natstest.RunServer(t)
	proxy := natstest.RunProxy(t, srv.URL())
	f := newFixture(t, proxy.URL(), 1)
	lease, err := f.store.Acquire(ctx(t), "unknown", record("a", 5*time.Second))
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	proxy.Blackhole()
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = f.store.Renew(short, lease)
	if !errors.Is(err, transport.ErrUnknownOutcome) || transport.ClassOf(err) != transport.ClassUnknownOutcome {
		t.Fatalf("renew through a blackhole: err = %v (class %v), want ErrUnknownOutcome", err, transport.ClassOf(err))
	}
	proxy.Heal()
}
