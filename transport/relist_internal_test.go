package transport

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
)

// TestWatchDeliveryDoesNotWaitForRelist watches 2,000 keys, half of them
// held, on one hub whose re-lists are held open after they have read the
// bucket. A put made while a re-list is held must reach its watch, and the
// held re-list, once merged, must not take it back with its older "absent".
func TestWatchDeliveryDoesNotWaitForRelist(t *testing.T) {
	const keys = 2000
	srv := natstest.RunServer(t)
	nc := natstest.Connect(t, srv.URL())
	octx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := Open(octx, nc, Options{Bucket: BucketConfig{Name: "many"}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(store.Close)
	holdKeys(t, store, keys)

	// A hub of its own, so its re-lists can be held before it starts.
	pushJS, err := nc.JetStream(nats.MaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	h := newHub(pushJS, bucketReads{stream: streamReader(store.js, "many"), keyPresent: store.keyPresent}, streamName("many"), store.subject, 20*time.Millisecond, 5*time.Second)
	held, proceed := make(chan relistResult), make(chan struct{})
	h.list = func(ctx context.Context) relistResult {
		r := h.relist(ctx)
		select {
		case held <- r:
		case <-ctx.Done():
			return r
		}
		select {
		case <-proceed:
		case <-ctx.Done():
		}
		return r
	}
	h.start()
	t.Cleanup(h.stop)

	var primed atomic.Int64
	allPrimed := make(chan struct{})
	free := make(chan KeyEvent, 64)
	for i := range keys {
		key := keyName(i)
		var first sync.Once
		w, err := h.subscribe(key, "", func(ev KeyEvent) {
			first.Do(func() {
				if primed.Add(1) == keys {
					close(allPrimed)
				}
			})
			if i == 0 {
				select {
				case free <- ev:
				default: // notify must not block; the test reads a handful of events
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	await(t, allPrimed, 30*time.Second, fmt.Sprintf("the first state of all %d watches", keys))

	r := awaitValue(t, held, 30*time.Second, "a re-list to have read the bucket")
	if r.err != nil || len(r.events) < keys/2 {
		t.Fatalf("held re-list: %d entries, err %v; want at least %d", len(r.events), r.err, keys/2)
	}
	lease, err := store.Acquire(octx, keyName(0), record("late", 10*time.Second))
	if err != nil {
		t.Fatalf("acquire %s: %v", keyName(0), err)
	}
	for ev := awaitValue(t, free, 5*time.Second, "the first state of "+keyName(0)); ev.Kind != KeyPut; {
		ev = awaitValue(t, free, 5*time.Second, "the put of "+keyName(0)+" while a re-list is held")
		if ev.Kind == KeyPut && ev.Entry.Revision != lease.Revision {
			t.Fatalf("put of %s at %d, want %d", keyName(0), ev.Entry.Revision, lease.Revision)
		}
	}

	merged := h.snapshot().Relists
	proceed <- struct{}{}
	// The hub counts a re-list once it has merged it.
	awaitRelists(t, h, merged+1, 30*time.Second, "the held re-list to be merged")
	select {
	case ev := <-free:
		t.Fatalf("after the held re-list was merged %s got %v@%d; the put at %d must stand", keyName(0), ev.Kind, ev.Entry.Revision, lease.Revision)
	default:
	}
	if st := h.snapshot(); st.Relists == 0 || st.Watched != keys || st.Dropped != 0 {
		t.Fatalf("stats %+v: want a re-list, %d watched keys, no drops", st, keys)
	}
}

// awaitRelists waits until h has merged n re-lists, failing the test after
// timeout with what was awaited. The count has no event to wait on, so it
// is polled.
func awaitRelists(t *testing.T, h *hub, n uint64, timeout time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for h.snapshot().Relists < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// holdKeys acquires every odd-numbered key of n.
func holdKeys(t *testing.T, store *JetStreamStore, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Go(func() {
			for i := 1 + 2*w; i < n; i += 16 {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := store.Acquire(ctx, keyName(i), record("holder", 30*time.Second))
				cancel()
				if err != nil {
					errs <- fmt.Errorf("acquire %s: %w", keyName(i), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func keyName(i int) string { return fmt.Sprintf("role-%04d", i) }

func record(holder string, ttl time.Duration) Record {
	return Record{Holder: holder, Nonce: holder + "-nonce", TTL: ttl, AcquiredAt: time.Now()}
}

// await waits for ch to be closed, failing the test after timeout.
func await(t *testing.T, ch <-chan struct{}, timeout time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(timeout):
		t.Fatalf("waited %v for %s", timeout, what)
	}
}

// awaitValue waits for a value on ch, failing the test after timeout.
func awaitValue[T any](t *testing.T, ch <-chan T, timeout time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		t.Fatalf("waited %v for %s", timeout, what)
		panic("unreachable")
	}
}

// TestPollRelistsOnlyWhenTheWatchFallsBehind: a poll re-lists the bucket
// when the watch has not delivered what the stream held at the previous
// poll and delivered nothing since the check before, when the stream is
// behind what was delivered, when the stream's
// leadership changed, or when the check failed; not while the watch keeps
// up under one leader.
func TestPollRelistsOnlyWhenTheWatchFallsBehind(t *testing.T) {
	h := newHub(nil, bucketReads{}, "KV_x", "$KV.x.", time.Second, time.Second)
	h.list = func(context.Context) relistResult { return relistResult{} }
	results := make(chan relistResult, 1)
	ctx := context.Background()
	relisted := func() bool {
		if !h.relisting {
			return false
		}
		<-results
		h.relisting = false
		return true
	}
	a := func(last uint64) checkResult {
		return checkResult{mark: streamMark{last: last, term: "n1@1"}, floor: h.highest}
	}
	h.watermark, h.highest, h.lastSeen, h.term = 100, 100, 90, "n1@1"
	if h.checked(ctx, a(110), results); relisted() {
		t.Fatal("re-listed although the watch had delivered everything of the previous poll")
	}
	if h.checked(ctx, a(120), results); !relisted() {
		t.Fatal("no re-list although the watch is still at 100 and the stream was at 110 a poll ago")
	}
	h.watermark, h.highest = 115, 115
	if h.checked(ctx, a(140), results); relisted() {
		t.Fatal("re-listed although the watch, behind the stream of a poll ago, had moved since the last check")
	}
	if h.checked(ctx, a(150), results); !relisted() {
		t.Fatal("no re-list although the watch stayed at 115, behind the 140 of a poll ago")
	}
	h.watermark, h.highest = 130, 130
	if h.checked(ctx, a(50), results); !relisted() {
		t.Fatal("no re-list although the stream is behind what the watch delivered (it started over)")
	}
	h.lastSeen = 130
	if h.checked(ctx, a(130), results); relisted() {
		t.Fatal("re-listed although the watch keeps up under the same leader")
	}
	behindLater := checkResult{mark: streamMark{last: 130, term: "n1@1"}, floor: 130}
	h.watermark, h.highest = 135, 135
	if h.checked(ctx, behindLater, results); relisted() {
		t.Fatal("re-listed because the watch delivered past the stream's answer while the read was out")
	}
	if h.checked(ctx, checkResult{mark: streamMark{last: 130, term: "n1@2"}}, results); !relisted() {
		t.Fatal("no re-list although the stream's leader was elected again since the last poll")
	}
	h.watermark, h.highest, h.lastSeen = 130, 130, 0
	if h.checked(ctx, checkResult{err: errStalled}, results); !relisted() {
		t.Fatal("no re-list although the check failed")
	}
	h.wg.Wait()
}

// TestRelistWithoutCauseStretchesWithTheBucket: a small bucket is re-listed
// every relistFloor polls; a large one so rarely that the re-lists average
// one message per relistPerKey, whatever its size.
func TestRelistWithoutCauseStretchesWithTheBucket(t *testing.T) {
	h := newHub(nil, bucketReads{}, "KV_x", "$KV.x.", 2*time.Second, time.Second)
	if got := h.relistEvery(3); got != relistFloor {
		t.Fatalf("3 keys: a re-list every %d polls, want %d", got, relistFloor)
	}
	// 20,000 keys (10,000 roles with sessions): 2,000 s between re-lists,
	// 10 messages a second on average.
	if got := h.relistEvery(20000); got != 1000 {
		t.Fatalf("20,000 keys: a re-list every %d polls of 2s, want 1000", got)
	}
}
