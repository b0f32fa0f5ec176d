package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// rolesRow is one column of the roles table: N roles led by one process.
type rolesRow struct {
	n              int
	startTook      time.Duration // from the first Start call to the last returning
	allLead        time.Duration // from the last Start returning to every election leading; <0 if not within the bound
	heapPerRole    float64       // bytes
	goroutines     float64       // per role, idle
	clientCores    float64
	serverCores    float64
	writesPerSec   float64
	droppedRun     uint64 // over the whole run, before the handovers
	droppedQuiet   uint64
	demotesQuiet   int64
	handovers      []time.Duration
	handoverMisses int // resigns after which the other candidate did not lead within the bound
}

// leadBound bounds the wait for every role to lead, and for a handover.
const leadBound = 5 * time.Minute

// rolesRun is N elections, each the only candidate of its role, on one
// connection and one actor system.
type rolesRun struct {
	system    *actor.ActorSystem
	nc        *nats.Conn
	elections []leadership.Election
	leading   atomic.Int64
	demotes   atomic.Int64
}

// newSystem is an actor system that does not log.
func newSystem() *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
}

// measureRoles runs the roles scenario for n roles on a fresh server
// process: lead, idle for quiet, then hand over sample roles.
func measureRoles(n int, quiet time.Duration, sample int) (rolesRow, error) {
	row := rolesRow{n: n}
	srv, err := startServer()
	if err != nil {
		return row, err
	}
	defer srv.stop()
	mon, err := nats.Connect(srv.url)
	if err != nil {
		return row, err
	}
	defer mon.Close()

	r := &rolesRun{system: newSystem()}
	defer r.system.Shutdown()
	r.nc, err = nats.Connect(srv.url, nats.ReconnectBufSize(-1))
	if err != nil {
		return row, err
	}
	defer r.nc.Close()
	defer r.stop()
	heap0, g0 := liveHeap(), runtime.NumGoroutine()

	begin := time.Now()
	for i := range n {
		e, err := r.start(i)
		if err != nil {
			return row, err
		}
		r.elections = append(r.elections, e)
	}
	started := time.Now()
	row.startTook = started.Sub(begin)
	progress("N=%d: %d Starts returned in %v", n, n, row.startTook.Round(time.Millisecond))
	row.allLead = r.awaitAllLead(started)
	progress("N=%d: all lead after %v", n, row.allLead.Round(time.Millisecond))

	// Let the starts' transients (first reads, registrations) pass.
	time.Sleep(3 * time.Second)
	row.heapPerRole = float64(int64(liveHeap())-int64(heap0)) / float64(n)
	row.goroutines = float64(runtime.NumGoroutine()-g0) / float64(n)
	if err := r.quietWindow(&row, srv, mon, quiet); err != nil {
		return row, err
	}
	progress("N=%d: quiet window done: client %.3f, server %.3f cores, %.0f writes/s", n, row.clientCores, row.serverCores, row.writesPerSec)
	return row, r.handOver(&row, srv.url, min(sample, n))
}

// start starts the election of role i.
func (r *rolesRun) start(i int) (leadership.Election, error) {
	e, err := leadership.NewElection(r.system, leadership.Config{Conn: r.nc, Role: roleName(i), InstanceID: "a"})
	if err != nil {
		return nil, err
	}
	e.OnPromote(func(context.Context, leadership.Token) { r.leading.Add(1) })
	e.OnDemote(func(context.Context, leadership.DemoteReason) { r.leading.Add(-1); r.demotes.Add(1) })
	return e, e.Start(context.Background())
}

// awaitAllLead waits until every election leads and returns how long after
// since that was, or -1 after leadBound.
func (r *rolesRun) awaitAllLead(since time.Time) time.Duration {
	n := int64(len(r.elections))
	for {
		if r.leading.Load() == n && r.allLeaders() {
			return time.Since(since)
		}
		if time.Since(since) > leadBound {
			return -1
		}
		time.Sleep(5 * time.Millisecond) // callbacks counted: polled at a fine grain
	}
}

// allLeaders reports whether every election's IsLeader holds.
func (r *rolesRun) allLeaders() bool {
	for _, e := range r.elections {
		if !e.IsLeader() {
			return false
		}
	}
	return true
}

// quietWindow idles for d and records CPU, writes, drops and demotions.
func (r *rolesRun) quietWindow(row *rolesRow, srv *serverProc, mon *nats.Conn, d time.Duration) error {
	js, err := jetstream.New(mon)
	if err != nil {
		return err
	}
	seq0, err := lastSeq(js)
	if err != nil {
		return err
	}
	drop0 := r.dropped()
	dem0 := r.demotes.Load()
	c0, err := cpuTime(0)
	if err != nil {
		return err
	}
	s0, err := cpuTime(srv.pid())
	if err != nil {
		return err
	}
	t0 := time.Now()
	time.Sleep(d)
	c1, err := cpuTime(0)
	if err != nil {
		return err
	}
	s1, err := cpuTime(srv.pid())
	if err != nil {
		return err
	}
	wall := time.Since(t0)
	seq1, err := lastSeq(js)
	if err != nil {
		return err
	}
	row.clientCores, row.serverCores = cores(c1-c0, wall), cores(s1-s0, wall)
	row.writesPerSec = float64(seq1-seq0) / wall.Seconds()
	row.droppedRun = r.dropped()
	row.droppedQuiet = row.droppedRun - drop0
	row.demotesQuiet = r.demotes.Load() - dem0
	return nil
}

// dropped is what the shared store's watch has dropped so far.
func (r *rolesRun) dropped() uint64 {
	st, _ := leadership.SharedStoreStats(r.system, r.nc, "")
	return st.Dropped
}

// stop stops every election without releasing: the server goes next.
func (r *rolesRun) stop() {
	for _, e := range r.elections {
		_ = e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true})
	}
}

// lastSeq is the last sequence of the bucket's stream: every KV write
// (create, renewal, release, registration) takes one.
func lastSeq(js jetstream.JetStream) (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "KV_"+leadership.DefaultBucket)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.LastSeq, nil
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// roleName names role i.
func roleName(i int) string { return fmt.Sprintf("role-%05d", i) }

// progress reports a step on stderr, so a long run shows where it is.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
