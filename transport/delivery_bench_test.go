package transport_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/batonhq/baton/transport/storetest"
)

// BenchmarkWatchDelivery measures how long a renewal takes to reach its
// watch on a store that watches n held keys and re-lists the bucket as
// often as it can: renew call to notify, percentiles in ms. It also
// reports how long one re-list of the bucket took and how many messages
// nats.go dropped. The figures are printed, not asserted.
//
//	go test ./transport -run '^$' -bench WatchDelivery -benchtime 500x
func BenchmarkWatchDelivery(b *testing.B) {
	for _, n := range []int{100, 2000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			url := natstest.RunServer(b).URL()
			opts := transport.Options{Bucket: transport.BucketConfig{Name: "delivery"}}
			writer := openBench(b, url, opts)
			opts.PollInterval = 10 * time.Millisecond // a re-list is nearly always running
			watcher := openBench(b, url, opts)
			holdAll(b, writer, n)
			watchAll(b, watcher, n)

			probe := watchKey(b, watcher, "probe")
			lease, err := writer.Acquire(context.Background(), "probe", record("probe", 30*time.Second))
			if err != nil {
				b.Fatal(err)
			}
			awaitPut(b, probe, lease.Revision)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if lease, err = writer.Renew(context.Background(), lease); err != nil {
					b.Fatal(err)
				}
				awaitPut(b, probe, lease.Revision)
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			st := watcher.Stats()
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			b.ReportMetric(ms(st.LastRelistDuration), "relist-ms")
			b.ReportMetric(float64(st.Relists), "relists")
			b.ReportMetric(float64(st.Dropped), "dropped")
		})
	}
}

// holdAll acquires keys k0 to k(n-1) from 8 writers at once.
func holdAll(b *testing.B, s *transport.JetStreamStore, n int) {
	b.Helper()
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				if _, err := s.Acquire(context.Background(), fmt.Sprintf("k%d", i), record("holder", time.Minute)); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatalf("hold keys: %v", err)
	}
}

// watchAll watches keys k0 to k(n-1) and waits for each first state.
func watchAll(b *testing.B, s *transport.JetStreamStore, n int) {
	b.Helper()
	var primed atomic.Int64
	all := make(chan struct{})
	for i := range n {
		var once sync.Once
		w, err := s.Watch(fmt.Sprintf("k%d", i), func(transport.KeyEvent) {
			once.Do(func() {
				if primed.Add(1) == int64(n) {
					close(all)
				}
			})
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(w.Stop)
	}
	select {
	case <-all:
	case <-time.After(time.Minute):
		b.Fatalf("waited a minute for the first state of %d watches; %d came", n, primed.Load())
	}
}

// awaitPut waits for the put at rev on w.
func awaitPut(b *testing.B, w *storetest.Watched, rev uint64) {
	b.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.Events:
			if ev.Kind == transport.KeyPut && ev.Entry.Revision >= rev {
				return
			}
		case <-deadline:
			b.Fatalf("waited 10s for the put at %d of %q", rev, w.Role)
		}
	}
}
