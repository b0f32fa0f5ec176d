package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"runtime"
	"strings"
	"sync"
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
	mode           string        // how the roles are run: facadeMode or managerMode
	starters       int           // goroutines calling Start at once (facadeMode)
	sessions       bool          // leases kept by a session (Config.Sessions)
	startTook      time.Duration // from the first Start call to the last returning
	allLead        time.Duration // from the last Start returning to every election leading; <0 if not within the bound
	lateLeaders    int           // roles first promoted more than lateAfter after the last Start returned
	heapPerRole    float64       // bytes
	goroutines     float64       // per role, idle
	clientCores    float64
	serverCores    float64
	writesPerSec   float64
	msgsInPerSec   float64 // messages the server sent the roles' connection, per second
	droppedRun     uint64  // over the whole run, before the handovers
	droppedQuiet   uint64
	relistsRun     uint64 // the shared store's re-lists of the bucket, over the whole run
	relistsQuiet   uint64
	demotesQuiet   int64
	reasonsQuiet   map[leadership.DemoteReason]int64 // the quiet window's demotions by reason
	handovers      []time.Duration
	handoverMisses int // resigns after which the other candidate did not lead within the bound
}

// column names the row's column: how the roles run and how leases are kept.
func (r rolesRow) column() string {
	mode := r.mode
	if r.mode == facadeMode && r.starters > 1 {
		mode += fmt.Sprintf(" (%d parallel Starts)", r.starters)
	}
	if r.sessions {
		return mode + ", sessions"
	}
	return mode + ", TTL per role"
}

// leadBound bounds the wait for every role to lead.
const leadBound = 2 * time.Minute

// rolesRun is N elections, each the only candidate of its role, on one
// connection and one actor system.
type rolesRun struct {
	n         int
	sessions  bool
	system    *actor.ActorSystem
	nc        *nats.Conn
	elections []leadership.Election  // facadeMode
	manager   leadership.RoleManager // managerMode
	leading   atomic.Int64
	demotes   atomic.Int64
	firstLead []atomic.Int64   // per role: when it was first promoted, in Unix nanoseconds
	sampled   []chan time.Time // the promotions of the roles that hand over

	mu      sync.Mutex // guards reasons
	reasons map[leadership.DemoteReason]int64
}

// lateAfter is the target: every role leads within it of Start returning.
const lateAfter = 2 * time.Second

// The two ways a process runs N roles.
const (
	facadeMode  = "Election"    // one Election facade per role
	managerMode = "RoleManager" // one RoleManager declaring every role
)

// newSystem is an actor system that does not log.
func newSystem() *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
}

// measureRoles runs the roles scenario for n roles in mode on a fresh
// server process: lead, idle for quiet, then (facades only: a RoleManager
// has no Resign) hand over sample roles.
func measureRoles(mode string, n int, sessions bool, quiet time.Duration, sample, starters int) (rolesRow, error) {
	row := rolesRow{n: n, mode: mode, sessions: sessions, starters: starters}
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

	r := &rolesRun{n: n, sessions: sessions, system: newSystem(), firstLead: make([]atomic.Int64, n), reasons: map[leadership.DemoteReason]int64{}}
	if mode == facadeMode {
		for range min(sample, n) {
			r.sampled = append(r.sampled, make(chan time.Time, 16))
		}
	}
	defer r.system.Shutdown()
	r.nc, err = nats.Connect(srv.url, nats.ReconnectBufSize(-1))
	if err != nil {
		return row, err
	}
	defer r.nc.Close()
	defer r.stop()
	heap0, g0 := liveHeap(), runtime.NumGoroutine()

	stopStartCPU := startCPUProfile(row, "start")
	begin := time.Now()
	if mode == managerMode {
		err = r.startManager()
	} else {
		err = r.startElections(starters)
	}
	if err != nil {
		return row, err
	}
	started := time.Now()
	row.startTook = started.Sub(begin)
	progress("%s N=%d: started in %v", row.column(), n, row.startTook.Round(time.Millisecond))
	row.allLead = r.awaitAllLead(started)
	stopStartCPU()
	for i := range r.firstLead {
		if at := r.firstLead[i].Load(); at == 0 || time.Unix(0, at).Sub(started) > lateAfter {
			row.lateLeaders++
		}
	}
	if row.allLead < 0 {
		progress("%s N=%d: not all lead within %v; %s", row.column(), n, leadBound, r.notLeading())
	} else {
		progress("%s N=%d: all lead after %v", row.column(), n, row.allLead.Round(time.Millisecond))
	}

	// Let the starts' transients (first reads, registrations) pass.
	time.Sleep(3 * time.Second)
	row.heapPerRole = float64(int64(liveHeap())-int64(heap0)) / float64(n)
	writeHeapProfile(row)
	row.goroutines = float64(runtime.NumGoroutine()-g0) / float64(n)
	if err := r.quietWindow(&row, srv, mon, quiet); err != nil {
		return row, err
	}
	progress("%s N=%d: quiet window done: client %.3f, server %.3f cores, %.0f writes/s", row.column(), n, row.clientCores, row.serverCores, row.writesPerSec)
	if mode == managerMode {
		return row, nil
	}
	return row, r.handOver(&row, srv.url)
}

// startElections starts one election facade per role: one after the
// other, as a loop in a user's program would, or from starters goroutines
// at once, as a server starting its roles in parallel would.
func (r *rolesRun) startElections(starters int) error {
	r.elections = make([]leadership.Election, r.n)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	errs := make([]error, max(starters, 1))
	for w := range max(starters, 1) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= r.n {
					return
				}
				e, err := leadership.NewElection(r.system, leadership.Config{Conn: r.nc, Role: roleName(i), InstanceID: "a", Sessions: r.sessions})
				if err == nil {
					e.OnPromote(r.promoted(i))
					e.OnDemote(r.demoted)
					err = e.Start(context.Background())
				}
				if err != nil {
					errs[w] = err
					return
				}
				r.elections[i] = e
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// startManager starts one role manager declaring every role.
func (r *rolesRun) startManager() error {
	specs := make([]leadership.RoleSpec, r.n)
	for i := range specs {
		specs[i] = leadership.RoleSpec{Role: roleName(i), Config: leadership.Config{Conn: r.nc, Sessions: r.sessions}, OnPromote: r.promoted(i), OnDemote: r.demoted}
	}
	m, err := leadership.NewRoleManager(r.system, "a", specs...)
	if err != nil {
		return err
	}
	r.manager = m
	return m.Start(context.Background())
}

// promoted is role i's OnPromote: it counts the promotion and records
// the role's first.
func (r *rolesRun) promoted(i int) func(context.Context, leadership.Token) {
	return func(context.Context, leadership.Token) {
		now := time.Now()
		r.firstLead[i].CompareAndSwap(0, now.UnixNano())
		r.leading.Add(1)
		if i < len(r.sampled) {
			select {
			case r.sampled[i] <- now:
			default: // not waited for: only the promotion after a resign is
			}
		}
	}
}

// demoted counts a demotion and its reason.
func (r *rolesRun) demoted(_ context.Context, reason leadership.DemoteReason) {
	r.leading.Add(-1)
	r.demotes.Add(1)
	r.mu.Lock()
	r.reasons[reason]++
	r.mu.Unlock()
}

// demoteReasons is a copy of the demotions counted by reason.
func (r *rolesRun) demoteReasons() map[leadership.DemoteReason]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.reasons)
}

// awaitAllLead waits until every election leads and returns how long after
// since that was, or -1 after leadBound.
func (r *rolesRun) awaitAllLead(since time.Time) time.Duration {
	for {
		if r.leading.Load() == int64(r.n) && r.allLeaders() {
			return time.Since(since)
		}
		if time.Since(since) > leadBound {
			return -1
		}
		time.Sleep(5 * time.Millisecond) // callbacks counted: polled at a fine grain
	}
}

// notLeading describes the elections that do not lead: how many, how many
// the callbacks count as leading, and the first few's status.
func (r *rolesRun) notLeading() string {
	if r.manager != nil {
		return fmt.Sprintf("%d of %d promoted by the callbacks", r.leading.Load(), r.n)
	}
	var out []string
	count := 0
	for i := range r.n {
		if r.elections[i].IsLeader() {
			continue
		}
		count++
		if len(out) < 3 {
			st := r.elections[i].Status()
			lease := ""
			if st.Leading {
				lease = fmt.Sprintf(", deadline in %v (snapshot %v)", time.Until(st.LeaseDeadline()).Round(time.Millisecond),
					time.Until(st.Lease.Deadline).Round(time.Millisecond))
			}
			out = append(out, fmt.Sprintf("%s: %s, leading %v, leader %q%s, last error %q",
				roleName(i), st.State, st.Leading, st.Leader, lease, st.LastError))
		}
	}
	return fmt.Sprintf("%d not leading, %d promoted by the callbacks; %s", count, r.leading.Load(), strings.Join(out, "; "))
}

// allLeaders reports whether IsLeader holds for every role.
func (r *rolesRun) allLeaders() bool {
	for i := range r.n {
		if r.manager != nil && !r.manager.IsLeader(roleName(i)) || r.manager == nil && !r.elections[i].IsLeader() {
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
	drop0, relist0 := r.dropped(), r.relists()
	dem0, reasons0 := r.demotes.Load(), r.demoteReasons()
	c0, err := cpuTime(0)
	if err != nil {
		return err
	}
	s0, err := cpuTime(srv.pid())
	if err != nil {
		return err
	}
	in0 := r.nc.Stats().InMsgs
	stopCPU := startCPUProfile(*row, "cpu")
	t0 := time.Now()
	time.Sleep(d)
	in1 := r.nc.Stats().InMsgs
	stopCPU()
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
	row.msgsInPerSec = float64(in1-in0) / wall.Seconds()
	row.droppedRun = r.dropped()
	row.droppedQuiet = row.droppedRun - drop0
	row.relistsRun = r.relists()
	row.relistsQuiet = row.relistsRun - relist0
	row.demotesQuiet = r.demotes.Load() - dem0
	row.reasonsQuiet = r.demoteReasons()
	for reason, k := range reasons0 {
		row.reasonsQuiet[reason] -= k
	}
	return nil
}

// dropped is what the shared store's watch has dropped so far.
func (r *rolesRun) dropped() uint64 {
	st, _ := leadership.SharedStoreStats(r.system, r.nc, "")
	return st.Dropped
}

// relists is how many times the shared store has re-listed the bucket.
func (r *rolesRun) relists() uint64 {
	st, _ := leadership.SharedStoreStats(r.system, r.nc, "")
	return st.Relists
}

// stop stops every election; facades without releasing, as the server
// goes next (a RoleManager's Stop always releases).
func (r *rolesRun) stop() {
	if r.manager != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = r.manager.Stop(ctx)
	}
	for _, e := range r.elections {
		if e != nil { // nil: its Start was never reached, after another failed
			_ = e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true})
		}
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
