package transport_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

func TestOpenReplicasOnSingleServer(t *testing.T) {
	srv := natstest.RunServer(t)
	_, err := transport.Open(ctx(t), natstest.Connect(t, srv.URL()), transport.Options{Bucket: transport.BucketConfig{Replicas: 3}})
	if !errors.Is(err, transport.ErrBucketMisconfigured) || transport.ClassOf(err) != transport.ClassPermanent {
		t.Fatalf("open with Replicas 3 on a single server: err = %v (class %v), want a permanent ErrBucketMisconfigured", err, transport.ClassOf(err))
	}
	t.Logf("replicas on a single server: %v", err)
}

func TestOpenRejectsStreamThatIsNotABucket(t *testing.T) {
	for name, sc := range map[string]jetstream.StreamConfig{
		"plain stream":    {Name: "KV_leases", Subjects: []string{"orders.>"}},
		"one per subject": {Name: "KV_leases", Subjects: []string{"orders.>"}, MaxMsgsPerSubject: 1},
	} {
		t.Run(name, func(t *testing.T) {
			srv := natstest.RunServer(t)
			nc := natstest.Connect(t, srv.URL())
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := js.CreateStream(ctx(t), sc); err != nil {
				t.Fatalf("create the stream: %v", err)
			}
			_, err = transport.Open(ctx(t), nc, transport.Options{Bucket: transport.BucketConfig{Name: "leases"}})
			if !errors.Is(err, transport.ErrBucketMisconfigured) || transport.ClassOf(err) != transport.ClassPermanent {
				t.Fatalf("open: err = %v (class %v), want a permanent ErrBucketMisconfigured", err, transport.ClassOf(err))
			}
			if !strings.Contains(err.Error(), "not a KV bucket") {
				t.Fatalf("error %q does not say the stream is not a bucket", err)
			}
			t.Logf("%v", err)
		})
	}
}

// TestOpenReportsEveryBadSetting checks one error names all the bucket's
// faults, so they are fixed in one round.
func TestOpenReportsEveryBadSetting(t *testing.T) {
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateKeyValue(ctx(t), jetstream.KeyValueConfig{Bucket: "leases", History: 3, TTL: time.Hour}); err != nil {
		t.Fatalf("create the bucket: %v", err)
	}
	_, err = transport.Open(ctx(t), nc, transport.Options{Bucket: transport.BucketConfig{Name: "leases"}})
	for _, want := range []string{"History is 3", "LimitMarkerTTL is off", "bucket TTL is 1h0m0s"} {
		if !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	_, err = transport.Open(ctx(t), nc, transport.Options{Bucket: transport.BucketConfig{Name: "a.b", Replicas: 9, LimitMarkerTTL: time.Millisecond}})
	for _, want := range []string{"bucket name", "Replicas 9", "LimitMarkerTTL 1ms"} {
		if !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
