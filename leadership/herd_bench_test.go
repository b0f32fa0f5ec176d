package leadership_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// BenchmarkFailoverHerd measures what one failover costs with 50
// candidates: the create attempts all candidates make between the leader's
// release and the successor's promotion, and how long that takes. It runs
// with the default CampaignJitter and with practically none (1µs), in the
// same run, and reports the attempts ratio as "x-nojitter".
//
//	go test ./leadership -run '^$' -bench FailoverHerd -benchtime 20x
func BenchmarkFailoverHerd(b *testing.B) {
	srv := natstest.RunServer(b)
	conns := make([]*nats.Conn, 10)
	for i := range conns {
		conns[i] = natstest.Connect(b, srv.URL())
	}
	var baseline float64
	for _, jitter := range []time.Duration{time.Microsecond, leadership.DefaultCampaignJitter} {
		b.Run(fmt.Sprintf("jitter=%v", jitter), func(b *testing.B) {
			attempts, elapsed := herd(b, conns, jitter, 50)
			b.ReportMetric(attempts, "attempts/failover")
			b.ReportMetric(float64(elapsed.Microseconds())/1000, "ms/failover")
			if jitter == time.Microsecond {
				baseline = attempts
			} else if baseline > 0 {
				b.ReportMetric(attempts/baseline, "x-nojitter")
			}
		})
	}
}

// herd runs b.N graceful failovers among n candidates and returns the mean
// attempts and time per failover.
func herd(b *testing.B, conns []*nats.Conn, jitter time.Duration, n int) (float64, time.Duration) {
	system := newSystem(b)
	role := fmt.Sprintf("herd-%d", jitter)
	elections := make([]leadership.Election, n)
	promoted := make(chan int, n)
	for i := range elections {
		cfg := fastConfig(conns[i%len(conns)], role, fmt.Sprintf("c%d", i))
		cfg.Timings.CampaignJitter = jitter
		e, err := leadership.NewElection(system, cfg)
		if err != nil {
			b.Fatal(err)
		}
		e.OnPromote(func(context.Context, leadership.Token) { promoted <- i })
		if err := e.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		elections[i] = e
		b.Cleanup(func() { _ = e.Stop() })
	}
	leader := awaitPromotion(b, promoted)
	settle(b, elections)
	var attempts uint64
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		before := totalAttempts(elections)
		start := time.Now()
		if err := elections[leader].Resign(context.Background()); err != nil {
			b.Fatalf("resign: %v", err)
		}
		leader = awaitPromotion(b, promoted)
		elapsed += time.Since(start)
		settle(b, elections)
		attempts += totalAttempts(elections) - before
	}
	b.StopTimer()
	return float64(attempts) / float64(b.N), elapsed / time.Duration(b.N)
}

func awaitPromotion(b *testing.B, promoted <-chan int) int {
	b.Helper()
	select {
	case i := <-promoted:
		return i
	case <-time.After(10 * time.Second):
		b.Fatal("waited 10s for a promotion")
		return -1
	}
}

// settle waits until no candidate is campaigning, so every attempt of the
// failover has been counted.
func settle(b *testing.B, elections []leadership.Election) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		campaigning := 0
		for _, e := range elections {
			if e.Status().State == "candidate" {
				campaigning++
			}
		}
		if campaigning == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("waited 10s for %d campaigning candidates to settle", campaigning)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func totalAttempts(elections []leadership.Election) uint64 {
	var sum uint64
	for _, e := range elections {
		sum += e.Status().Acquisition.Attempts
	}
	return sum
}
