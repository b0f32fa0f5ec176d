package transport_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The expiry-marker tests measure how nats-server erases a write it has
// acknowledged: when message V's TTL runs out while V is the last message
// on its subject, the stream leader proposes a MaxAge marker with
// "Nats-Rollup: sub" and no expected sequence, and a write W that expected V
// and was applied (and acknowledged) first is then rolled up by the marker.
// Their default size is for CI and only reports what the server erased; a
// long run is made by hand, for instance
//
//	go test ./transport -run ExpiryMarker -count=1 -v -timeout 30m \
//	    -expiry.rounds=4 -expiry.keys=2000 -expiry.cluster=true
var (
	expiryCluster = flag.Bool("expiry.cluster", true, "expiry-marker tests: a 3-node cluster and an R3 bucket (false: one server, R1)")
	expiryURL     = flag.String("expiry.url", "", "expiry-marker tests: servers on this machine to use (comma-separated URLs, as -expiry.cluster says) instead of servers started in the test's process; their buckets expiry and claims are deleted")
	expiryRounds  = flag.Int("expiry.rounds", 2, "expiry-marker tests: rounds")
	expiryKeys    = flag.Int("expiry.keys", 250, "expiry-marker tests: keys per round")
	expirySettle  = flag.Duration("expiry.settle", 0, "expiry-marker tests: how long to go on looking for late markers once the stream has applied every write of a round (keep it well under 10s: the claim test's leases have a TTL of 10s)")
)

// The writes that race V's expiry are sent from expiryLo to expiryLo+expirySpan
// after the server stored V: V's TTL is 1s and the server's expiry sweep
// runs up to 250ms late, so the spread covers the moment the sweep finds V.
const (
	expiryLo   = 1050 * time.Millisecond
	expirySpan = 400 * time.Millisecond
	// expiryTTL is the TTL of the writes that replace V: long enough that
	// none of them expires during a run.
	expiryTTL = time.Minute
)

// expiryRig is a lease bucket as transport.Open shapes it (History 1,
// LimitMarkerTTL 1s, R3 on a cluster), with a client to write to it as any
// publisher would and one whose reads only the stream's leader answers.
type expiryRig struct {
	topology string
	url      string
	bucket   string
	// opts are the options store was opened with; another store on the
	// bucket opens with them.
	opts  transport.Options
	store *transport.JetStreamStore
	js    jetstream.JetStream
	// leader reads a subject's last message with the stream API's message
	// get, which only the stream leader answers: a direct get may come from
	// a replica that has not applied the marker yet.
	leader nats.JetStreamContext
}

// newExpiryRig starts the topology -expiry.cluster names, or takes the
// servers -expiry.url names, and opens the bucket on it.
func newExpiryRig(t *testing.T, bucket string) *expiryRig {
	t.Helper()
	r := &expiryRig{topology: "single", bucket: bucket}
	replicas := 1
	if *expiryCluster {
		r.topology, replicas = "cluster3", 3
	}
	switch {
	case *expiryURL != "":
		r.topology, r.url = "external-"+r.topology, *expiryURL
	case *expiryCluster:
		r.url = natstest.RunCluster(t, 3).URLs()
	default:
		r.url = natstest.RunServer(t).URL()
	}
	nc := natstest.Connect(t, r.url)
	if *expiryURL != "" {
		// Servers outside the test may hold the bucket of an earlier run,
		// whose keys this run would find taken.
		dropBucket(t, nc, bucket)
		t.Cleanup(func() { dropBucket(t, nc, bucket) })
	}
	r.opts = transport.Options{Bucket: transport.BucketConfig{Name: bucket, Replicas: replicas}}
	store, err := transport.Open(ctx(t), nc, r.opts)
	if err != nil {
		t.Fatalf("open bucket: %v", err)
	}
	t.Cleanup(store.Close)
	r.store = store
	if r.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	if r.leader, err = nc.JetStream(); err != nil {
		t.Fatal(err)
	}
	return r
}

// dropBucket deletes bucket if it exists.
func dropBucket(t *testing.T, nc *nats.Conn, bucket string) {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), transport.DefaultOpTimeout)
	defer cancel()
	if err := js.DeleteKeyValue(c, bucket); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Errorf("delete bucket %s: %v", bucket, err)
	}
}

// subject is the stream subject of key.
func (r *expiryRig) subject(key string) string { return "$KV." + r.bucket + "." + key }

// settled waits until the stream has applied everything its leader
// proposed before now: it writes to a key of its own and waits for the
// acknowledgement, which the leader sends once the write is applied, after
// every entry proposed before it. A marker is decided while V is still
// stored, so before the write that removes V is applied and acknowledged,
// and the sweep that decided it proposes it next, once it gets the
// stream's locks. Then -expiry.settle gives a marker held up longer still
// the time to show.
func (r *expiryRig) settled(t *testing.T) {
	t.Helper()
	if _, err := r.js.Publish(ctx(t), r.subject("settled"), nil); err != nil {
		t.Fatalf("write after the round: %v", err)
	}
	if *expirySettle > 0 {
		// Not a wait for an event: an observation window for markers that
		// should never come, whose length the person running the test picks.
		time.Sleep(*expirySettle)
	}
}

// erasedPast reads key's last message from the stream leader and reports
// whether the key's messages from seq on were erased: the last message is
// an expiry marker that rolled the subject up, at a later sequence, or
// there is none (the marker's own TTL of 1s ran out too; nothing else
// deletes these keys). last is the last message's sequence, 0 for none.
func (r *expiryRig) erasedPast(t *testing.T, key string, seq uint64) (erased bool, last uint64) {
	t.Helper()
	m, err := r.leader.GetLastMsg("KV_"+r.bucket, r.subject(key), nats.Context(ctx(t)))
	if errors.Is(err, nats.ErrMsgNotFound) {
		return true, 0
	}
	if err != nil {
		t.Fatalf("read the last message of %s: %v", key, err)
	}
	marker := m.Header.Get("Nats-Marker-Reason") == "MaxAge" && m.Header.Get("Nats-Rollup") == "sub"
	return marker && m.Sequence > seq, m.Sequence
}

// storedAt returns when the server stored each of the n messages of the
// keys matching filter (a KV key wildcard), by sequence: the time from
// which their TTLs run. The servers run on this machine (-expiry.url too
// must name such servers), so their clock is the test's.
func (r *expiryRig) storedAt(t *testing.T, filter string, n int) map[uint64]time.Time {
	t.Helper()
	c, err := r.js.OrderedConsumer(ctx(t), "KV_"+r.bucket, jetstream.OrderedConsumerConfig{FilterSubjects: []string{r.subject(filter)}})
	if err != nil {
		t.Fatalf("read the keys %s: %v", filter, err)
	}
	at := make(map[uint64]time.Time, n)
	deadline := ctx(t)
	for len(at) < n {
		batch, err := c.Fetch(n-len(at), jetstream.FetchContext(deadline))
		if err != nil {
			t.Fatalf("read the keys %s: %v", filter, err)
		}
		for m := range batch.Messages() {
			md, err := m.Metadata()
			if err != nil {
				t.Fatalf("read the keys %s: %v", filter, err)
			}
			at[md.Sequence.Stream] = md.Timestamp
		}
		switch err := batch.Error(); {
		case errors.Is(err, nats.ErrNoResponders) && deadline.Err() == nil:
			// The consumer's pull subscription has not reached every
			// server of the cluster yet; the next fetch finds it.
		case err != nil:
			t.Fatalf("read the keys %s: got %d of %d messages: %v", filter, len(at), n, err)
		}
	}
	return at
}

// dueTimes returns when each write is due: its V's time plus lo plus a
// uniform share of span, from a generator seeded by round so that two runs
// send the same pattern.
func dueTimes(round int, anchors []time.Time, lo, span time.Duration) []time.Time {
	rng := rand.New(rand.NewPCG(uint64(round), 0x5eed))
	due := make([]time.Time, len(anchors))
	for i, at := range anchors {
		due[i] = at.Add(lo + time.Duration(rng.Int64N(int64(span))))
	}
	return due
}

// sendAt runs send(i) at due[i] for every i, each on a goroutine of its own
// so that a slow answer holds up no other write, and returns once every
// send has returned.
func sendAt(due []time.Time, send func(i int)) {
	order := make([]int, len(due))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return due[a].Compare(due[b]) })
	var wg sync.WaitGroup
	for _, i := range order {
		// Schedules the write at its chosen time; it waits for nothing.
		time.Sleep(time.Until(due[i]))
		wg.Go(func() { send(i) })
	}
	wg.Wait()
}

// refusedByServer reports whether err is the server's answer refusing a
// write (any JetStream API error), rather than a write whose fate is
// unknown (no answer in time).
func refusedByServer(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api)
}

// markerRace is one key of TestExpiryMarkerErasesAcknowledgedWrite: V, the
// write W that expects V, and the confirming write W2 that expects W.
type markerRace struct {
	key         string
	v           uint64
	vAt         time.Time // when the server stored V
	wSent       time.Time
	w, w2       uint64
	wErr, w2Err error
}

// markerTally counts what became of the writes of
// TestExpiryMarkerErasesAcknowledgedWrite.
type markerTally struct {
	sent, acked, refused, unknown int
	// erased: W was acknowledged and the subject's last message is now an
	// expiry marker past it.
	erased int
	// The confirming write W2, sent once W was acknowledged: refused (a),
	// acknowledged and still there (b), acknowledged and then erased (c),
	// or with no answer in time.
	confirmRefused, confirmKept, confirmErased, confirmUnknown int
}

func (m markerTally) String() string {
	return fmt.Sprintf("sent=%d acked=%d refused=%d unknown=%d acked_then_erased=%d confirm_refused=%d confirm_kept=%d confirm_erased=%d confirm_unknown=%d",
		m.sent, m.acked, m.refused, m.unknown, m.erased, m.confirmRefused, m.confirmKept, m.confirmErased, m.confirmUnknown)
}

func (m *markerTally) add(o markerTally) {
	m.sent += o.sent
	m.acked += o.acked
	m.refused += o.refused
	m.unknown += o.unknown
	m.erased += o.erased
	m.confirmRefused += o.confirmRefused
	m.confirmKept += o.confirmKept
	m.confirmErased += o.confirmErased
	m.confirmUnknown += o.confirmUnknown
}

// TestExpiryMarkerErasesAcknowledgedWrite shows what the server does when a
// revision-checked write races the expiry of the message it expects: keys
// are written with a TTL of 1s (V), then a write W expecting V, with a TTL
// of a minute, is sent as V expires; right after W's acknowledgement, a
// second write W2 expecting W confirms it. It reports how many acknowledged
// writes W the expiry marker erased, and what became of their
// confirmations: refused, kept, or acknowledged and erased too. What the
// server erases does not fail the test: it is the behaviour measured. An
// erased W2 is not a failure either: one server erases a confirmation now
// and then (docs/upstream-expiry-marker.md), so no proof of Baton's rests
// on a second write (fsm/core_proof.go), and
// TestExpiryMarkerNeverProvesAClaim checks the proof it does rest on.
func TestExpiryMarkerErasesAcknowledgedWrite(t *testing.T) {
	r := newExpiryRig(t, "expiry")
	var total markerTally
	for round := range *expiryRounds {
		races := make([]*markerRace, *expiryKeys)
		for i := range races {
			races[i] = &markerRace{key: fmt.Sprintf("r%d.k%d", round, i)}
		}
		r.writeV(t, fmt.Sprintf("r%d.>", round), races)
		anchors := make([]time.Time, len(races))
		for i, k := range races {
			anchors[i] = k.vAt
		}
		sendAt(dueTimes(round, anchors, expiryLo, expirySpan), func(i int) { r.race(races[i]) })
		r.settled(t)
		tally := r.tally(t, races)
		t.Logf("expiry-marker server: topology=%s round=%d keys=%d %v", r.topology, round, len(races), tally)
		total.add(tally)
	}
	t.Logf("expiry-marker server: topology=%s rounds=%d keys=%d total %v", r.topology, *expiryRounds, *expiryKeys, total)
}

// writeV writes every key's V with a TTL of 1s, expecting the key to be
// new, all at once so that they expire together, and learns when the
// server stored each (the keys match filter).
func (r *expiryRig) writeV(t *testing.T, filter string, races []*markerRace) {
	t.Helper()
	futures := make([]jetstream.PubAckFuture, len(races))
	for i, k := range races {
		f, err := r.js.PublishAsync(r.subject(k.key), []byte("v"),
			jetstream.WithExpectLastSequencePerSubject(0), jetstream.WithMsgTTL(time.Second))
		if err != nil {
			t.Fatalf("write V of %s: %v", k.key, err)
		}
		futures[i] = f
	}
	deadline := ctx(t)
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			races[i].v = ack.Sequence
		case err := <-f.Err():
			t.Fatalf("write V of %s: %v", races[i].key, err)
		case <-deadline.Done():
			t.Fatalf("no acknowledgement of V of %s", races[i].key)
		}
	}
	at := r.storedAt(t, filter, len(races))
	for _, k := range races {
		k.vAt = at[k.v]
	}
}

// race sends W expecting V and, once W is acknowledged, W2 expecting W.
func (r *expiryRig) race(k *markerRace) {
	c, cancel := context.WithTimeout(context.Background(), transport.DefaultOpTimeout)
	defer cancel()
	k.wSent = time.Now()
	ack, err := r.js.Publish(c, r.subject(k.key), []byte("w"),
		jetstream.WithExpectLastSequencePerSubject(k.v), jetstream.WithMsgTTL(expiryTTL))
	if err != nil {
		k.wErr = err
		return
	}
	k.w = ack.Sequence
	ack, err = r.js.Publish(c, r.subject(k.key), []byte("w2"),
		jetstream.WithExpectLastSequencePerSubject(k.w), jetstream.WithMsgTTL(expiryTTL))
	if err != nil {
		k.w2Err = err
		return
	}
	k.w2 = ack.Sequence
}

// tally reads what each key holds now and counts the outcomes, logging the
// keys whose acknowledged W was erased.
func (r *expiryRig) tally(t *testing.T, races []*markerRace) markerTally {
	t.Helper()
	var m markerTally
	for _, k := range races {
		m.sent++
		switch {
		case k.wErr != nil && refusedByServer(k.wErr):
			m.refused++
			continue
		case k.wErr != nil:
			m.unknown++
			continue
		}
		m.acked++
		erased, last := r.erasedPast(t, k.key, k.w)
		if erased {
			m.erased++
			t.Logf("expiry-marker erased: key=%s v=%d w=%d w_sent_after_v=%v w2=%d w2_err=%v last=%d",
				k.key, k.v, k.w, k.wSent.Sub(k.vAt).Round(time.Millisecond), k.w2, k.w2Err, last)
		}
		switch {
		case k.w2Err != nil && refusedByServer(k.w2Err):
			m.confirmRefused++
		case k.w2Err != nil:
			m.confirmUnknown++
		case erased:
			m.confirmErased++
			t.Logf("expiry-marker confirmation erased: key=%s v=%d w=%d w2=%d last=%d", k.key, k.v, k.w, k.w2, last)
		case last == k.w2:
			m.confirmKept++
		default:
			t.Errorf("key %s: W2 acknowledged at %d, but the last message is %d, not an expiry marker", k.key, k.w2, last)
		}
	}
	return m
}
