package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// herdRow is the one-role table: n candidates of one role.
type herdRow struct {
	n, conns    int
	sessions    bool // leases kept by a session (Config.Sessions)
	startTook   time.Duration
	heapPerCand float64 // bytes
	goroutines  float64 // per candidate, idle
	handovers   []time.Duration
	creates     float64 // acquisitions started by all candidates, per handover
}

// promotion is one OnPromote: who, and when.
type promotion struct {
	who int
	at  time.Time
}

// measureHerd starts n candidates of one role on conns connections and one
// actor system, then has the leader resign runs times, timing the
// successor's promotion and counting the creates it cost.
func measureHerd(n, conns, runs int, sessions bool) (herdRow, error) {
	row := herdRow{n: n, conns: conns, sessions: sessions}
	srv, err := startServer()
	if err != nil {
		return row, err
	}
	defer srv.stop()
	system := newSystem()
	defer system.Shutdown()
	var ncs []*nats.Conn
	defer func() {
		for _, nc := range ncs {
			nc.Close()
		}
	}()
	for range conns {
		nc, err := nats.Connect(srv.url, nats.ReconnectBufSize(-1))
		if err != nil {
			return row, err
		}
		ncs = append(ncs, nc)
	}
	heap0, g0 := liveHeap(), runtime.NumGoroutine()
	promoted := make(chan promotion, 4*n)
	var es []leadership.Election
	defer func() {
		for _, e := range es {
			_ = e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true})
		}
	}()
	begin := time.Now()
	for i := range n {
		e, err := leadership.NewElection(system, leadership.Config{Conn: ncs[i%conns], Role: "herd", InstanceID: fmt.Sprintf("c%05d", i), Sessions: sessions})
		if err != nil {
			return row, err
		}
		e.OnPromote(func(context.Context, leadership.Token) { promoted <- promotion{who: i, at: time.Now()} })
		if err := e.Start(context.Background()); err != nil {
			return row, err
		}
		es = append(es, e)
	}
	row.startTook = time.Since(begin)
	if err := settle(es, 2*time.Minute); err != nil {
		return row, err
	}
	row.heapPerCand = float64(int64(liveHeap())-int64(heap0)) / float64(n)
	row.goroutines = float64(runtime.NumGoroutine()-g0) / float64(n)
	progress("herd %d: settled, Starts took %v", n, row.startTook.Round(time.Millisecond))

	var attempts uint64
	for range runs {
		l := leaderOf(es)
		drain(promoted)
		before := sumAttempts(es)
		start := time.Now()
		if err := es[l].Resign(context.Background()); err != nil {
			return row, err
		}
		select {
		case p := <-promoted:
			row.handovers = append(row.handovers, p.at.Sub(start))
		case <-time.After(30 * time.Second):
			return row, fmt.Errorf("herd %d: no promotion within 30s of a resign", n)
		}
		if err := settle(es, time.Minute); err != nil {
			return row, err
		}
		attempts += sumAttempts(es) - before
	}
	row.creates = float64(attempts) / float64(runs)
	progress("herd %d: %d handovers", n, runs)
	return row, nil
}

// settle waits until one candidate leads and every candidate sees it and
// the whole registry.
func settle(es []leadership.Election, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if l := leaderOf(es); l >= 0 && agree(es, es[l].Status().InstanceID) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d candidates did not settle within %v", len(es), timeout)
		}
		time.Sleep(5 * time.Millisecond) // the state is a snapshot: polled between timed operations
	}
}

// agree reports whether every candidate sees leader and all candidates.
func agree(es []leadership.Election, leader string) bool {
	for _, e := range es {
		st := e.Status()
		if st.Leader != leader || len(st.Candidates) != len(es) {
			return false
		}
	}
	return true
}

// leaderOf is the index of the candidate that leads, or -1.
func leaderOf(es []leadership.Election) int {
	for i, e := range es {
		if e.IsLeader() {
			return i
		}
	}
	return -1
}

// sumAttempts sums the acquisitions every candidate has started.
func sumAttempts(es []leadership.Election) uint64 {
	var sum uint64
	for _, e := range es {
		sum += e.Status().Acquisition.Attempts
	}
	return sum
}

// drain forgets promotions already reported.
func drain(ch chan promotion) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
