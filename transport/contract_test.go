package transport_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/batonhq/baton/transport/storetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// topology is a NATS deployment the contract suite runs against.
type topology struct {
	name     string
	replicas int
	start    func(t *testing.T) (url string)
}

var topologies = []topology{
	{name: "single", replicas: 1, start: func(t *testing.T) string { return natstest.RunServer(t).URL() }},
	{name: "cluster3", replicas: 3, start: func(t *testing.T) string { return natstest.RunCluster(t, 3).URLs() }},
}

// fixture is one store on a fresh bucket plus a raw KV handle for setting up
// states the store itself would never write.
type fixture struct {
	url    string
	nc     *nats.Conn
	store  *transport.JetStreamStore
	kv     jetstream.KeyValue
	bucket string
	opts   transport.Options
}

// newFixture opens a store on the server at url.
func newFixture(t *testing.T, url string, replicas int) *fixture {
	t.Helper()
	nc := natstest.Connect(t, url)
	opts := transport.Options{
		Bucket:       transport.BucketConfig{Name: "contract", Replicas: replicas},
		PollInterval: 500 * time.Millisecond,
	}
	store, err := transport.Open(ctx(t), nc, opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(store.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx(t), "contract")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{url: url, nc: nc, store: store, kv: kv, bucket: "contract", opts: opts}
}

// second opens another store on its own connection, as another process would.
func (f *fixture) second(t *testing.T) *transport.JetStreamStore {
	t.Helper()
	store, err := transport.Open(ctx(t), natstest.Connect(t, f.url), f.opts)
	if err != nil {
		t.Fatalf("open second store: %v", err)
	}
	t.Cleanup(store.Close)
	return store
}

// The contract suite's helpers serve transport's other tests too.
var (
	ctx         = storetest.Context
	record      = storetest.Record
	watchKey    = storetest.WatchKey
	expectEvent = storetest.ExpectEvent
)

// TestContract runs the lease store's contract (transport/storetest) against
// every topology.
func TestContract(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			storetest.Run(t, newFixture(t, topo.start(t), topo.replicas), nil)
		})
	}
}

// Store, Second, DeleteKey and PutRaw make a fixture a storetest.Harness.
func (f *fixture) Store() transport.LeaseStore { return f.store }

func (f *fixture) Second(t *testing.T) transport.LeaseStore { return f.second(t) }

func (f *fixture) DeleteKey(t *testing.T, role string) {
	t.Helper()
	if err := f.kv.Delete(ctx(t), role); err != nil {
		t.Fatalf("delete %q behind the store's back: %v", role, err)
	}
}

func (f *fixture) PutRaw(t *testing.T, role string, value []byte) {
	t.Helper()
	if _, err := f.kv.Put(ctx(t), role, value); err != nil {
		t.Fatalf("put raw value in %q: %v", role, err)
	}
}
