package transport_test

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
)

// BenchmarkHandover measures how long a lease takes to pass from a holder
// that releases it to a follower that learns of the release from its watch
// and acquires: release call to the follower's acknowledged acquire. It
// reports the ratio to a renewal's round trip (a revision-checked write) on the same bucket,
// measured in the same run, as "x-renew".
//
//	go test ./transport -run '^$' -bench Handover -benchtime 200x
func BenchmarkHandover(b *testing.B) {
	for _, topo := range []struct {
		name     string
		replicas int
		url      func(b *testing.B) string
	}{
		{"single", 1, func(b *testing.B) string { return natstest.RunServer(b).URL() }},
		{"cluster3", 3, func(b *testing.B) string { return natstest.RunCluster(b, 3).URLs() }},
	} {
		b.Run(topo.name, func(b *testing.B) {
			url := topo.url(b)
			opts := transport.Options{Bucket: transport.BucketConfig{Name: "bench", Replicas: topo.replicas}}
			holder := openBench(b, url, opts)
			follower := openBench(b, url, opts)
			putRTT := putBaseline(b, holder)
			w := watchKey(b, follower, "handover")
			lease, err := holder.Acquire(context.Background(), "handover", record("holder", 10*time.Second))
			if err != nil {
				b.Fatal(err)
			}
			for ev := range w.Events {
				if ev.Kind == transport.KeyPut {
					break // the follower has seen the lease it will wait to be freed
				}
			}
			var total time.Duration
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if err := holder.Release(context.Background(), lease); err != nil {
					b.Fatal(err)
				}
				for ev := range w.Events {
					if ev.Kind.Free() {
						break
					}
				}
				next, err := follower.Acquire(context.Background(), "handover", record("follower", 10*time.Second))
				if err != nil {
					b.Fatalf("follower acquire: %v", err)
				}
				total += time.Since(start)
				holder, follower = follower, holder
				lease = next
				w.Stop()
				w = watchKey(b, follower, "handover")
			}
			b.StopTimer()
			mean := total / time.Duration(b.N)
			b.ReportMetric(float64(mean.Microseconds())/1000, "ms/handover")
			b.ReportMetric(float64(putRTT.Microseconds())/1000, "ms/renew")
			b.ReportMetric(float64(mean)/float64(putRTT), "x-renew")
		})
	}
}

func openBench(b *testing.B, url string, opts transport.Options) *transport.JetStreamStore {
	b.Helper()
	s, err := transport.Open(context.Background(), natstest.Connect(b, url), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

// putBaseline is the mean round trip of an unconditional renew-sized write.
func putBaseline(b *testing.B, s *transport.JetStreamStore) time.Duration {
	b.Helper()
	const n = 200
	lease, err := s.Acquire(context.Background(), "baseline", record("base", 10*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for range n {
		if lease, err = s.Renew(context.Background(), lease); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / n
}
