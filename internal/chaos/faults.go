package chaos

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/batonhq/baton/leadership"
)

// Class names a fault class. Each class is a reusable fault: it can be
// injected into any run of a topology it supports, any number of times, and
// it checks its own effect.
type Class string

// The fault classes.
const (
	// ClassBlackhole silently drops all traffic on the leader's NATS link
	// (every proxy of the leader), while its path to the resource stays up.
	ClassBlackhole Class = "blackhole"
	// ClassKill kills the leader's process with SIGKILL; a replacement
	// candidate is started afterwards.
	ClassKill Class = "kill"
	// ClassPause stops the leader's process with SIGSTOP for longer than
	// the TTL, then continues it with SIGCONT.
	ClassPause Class = "pause"
	// ClassServerRestart restarts the single server, after a random
	// downtime of up to two TTLs.
	ClassServerRestart Class = "server-restart"
	// ClassStreamLeaderKill shuts down the cluster node leading the lease
	// bucket's stream, then restarts it.
	ClassStreamLeaderKill Class = "stream-leader-kill"
	// ClassPartition cuts the cluster node the leader is connected to away
	// from every candidate (all their proxies to it drop traffic silently).
	ClassPartition Class = "partition"
	// ClassLatency delays every candidate's NATS link by a random delay and
	// jitter for a while.
	ClassLatency Class = "latency"
	// ClassHealthFlap makes the current leader's health checker fail until
	// it demotes, then pass again, several times in a row.
	ClassHealthFlap Class = "health-flap"
	// ClassChurn starts and stops candidates in quick succession, stopping
	// the leader at least once.
	ClassChurn Class = "churn"
	// ClassServerKill kills the nats-server process leading the lease
	// stream with SIGKILL, then starts it again.
	ClassServerKill Class = "server-kill"
	// ClassRoutePartition cuts the node leading the lease stream from its
	// peers (a proxy on every route passes nothing, holding it until the
	// cut heals, as TCP would), while candidates still reach every node.
	ClassRoutePartition Class = "route-partition"
	// ClassClusterCrash hands the lease over, then kills every node at
	// once and starts them again; on ProcCluster the stores lose what the
	// default sync interval had not yet synced.
	ClassClusterCrash Class = "cluster-crash"
	// ClassClockDrift hands the lease to a new candidate whose clock runs
	// at a rate within MaxClockDrift of real time (faster or slower), then
	// cuts its NATS link silently: it must demote itself before the next
	// holder is promoted.
	ClassClockDrift Class = "clock-drift"
	// ClassClockDriftBeyond is ClassClockDrift with a clock far slower than
	// MaxClockDrift allows: the cut-off leader believes it leads after the
	// next holder's promotion, an overlap reported as expected, and only
	// fencing refuses its writes.
	ClassClockDriftBeyond Class = "clock-drift-beyond"
)

// fault is a class's implementation.
type fault struct {
	class      Class
	topologies []Topology
	inject     func(ctx context.Context, e *env) (*injection, error)
}

// every is the topologies a class that needs only candidates' links runs on.
var every = topologies

// procs are the process-cluster topologies.
var procs = []Topology{ProcCluster, ProcClusterSync}

// faults lists every class in the order Classes reports them.
var faults = []fault{
	{ClassBlackhole, every, injectBlackhole},
	{ClassKill, every, injectKill},
	{ClassPause, every, injectPause},
	{ClassServerRestart, []Topology{Single}, injectServerRestart},
	{ClassStreamLeaderKill, []Topology{Cluster}, injectStreamLeaderKill},
	{ClassPartition, []Topology{Cluster}, injectPartition},
	{ClassLatency, every, injectLatency},
	{ClassHealthFlap, every, injectHealthFlap},
	{ClassChurn, every, injectChurn},
	{ClassServerKill, procs, injectServerKill},
	{ClassRoutePartition, procs, injectRoutePartition},
	{ClassClusterCrash, procs, injectClusterCrash},
	{ClassClockDrift, every, injectClockDrift},
	{ClassClockDriftBeyond, every, injectClockDriftBeyond},
}

// Classes returns every fault class.
func Classes() []Class {
	out := make([]Class, len(faults))
	for i, f := range faults {
		out[i] = f.class
	}
	return out
}

func (c Class) fault() (fault, bool) {
	for _, f := range faults {
		if f.class == c {
			return f, true
		}
	}
	return fault{}, false
}

func (c Class) valid() bool {
	_, ok := c.fault()
	return ok
}

// RunsOn reports whether the class can be injected on topology t.
func (c Class) RunsOn(t Topology) bool {
	f, ok := c.fault()
	return ok && slices.Contains(f.topologies, t)
}

// injection is one fault as it was injected: what was done, to whom, and
// how to tell that it had an effect.
type injection struct {
	class  Class
	victim string           // the candidate faulted, "" when the fault hits all
	prev   leadership.Token // the leader's token before the fault
	start  time.Time
	healed time.Time // when the fault ended (for a kill, the kill itself)
	detail string
	// effect checks, after the election settled, that the fault did what
	// its class must do; nil means it did.
	effect func(ev evidence) error
	// after runs once the checks are done, to restore the pool (a killed
	// leader is replaced); may be nil.
	after func() error
	// overlap measures how long the victim still believed it led after the
	// next holder's promotion, for a fault that may cause that; may be nil.
	overlap func(ev evidence) time.Duration
}

// evidence is what effect checks look at.
type evidence struct {
	led ledger
	end time.Time // when the election settled after the fault (or gave up)
	t   Timing
}

// begin starts an injection against the current leader.
func (e *env) begin(class Class, victim string) *injection {
	return &injection{class: class, victim: victim, prev: e.steady.Token, start: time.Now()}
}

// hold keeps a fault in place for d (a fault's duration, not a wait for a
// condition).
func hold(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// awaitLedger polls the resource's records until cond holds or timeout
// passes. It reports whether cond held; only a cancelled ctx is an error.
func (e *env) awaitLedger(ctx context.Context, timeout time.Duration, cond func(l ledger, now time.Time) bool) (bool, error) {
	return poll(ctx, time.Now().Add(timeout), func(now time.Time) bool { return cond(e.res.snapshot(), now) })
}

// believer returns the one live candidate whose latest beacon says it acts
// as leader, if exactly one does.
func (e *env) believer(l ledger, now time.Time) (*member, leadership.Token, bool) {
	var found *member
	var tok leadership.Token
	for _, m := range e.liveMembers() {
		b, ok := l.lastBeaconBefore(m.id, now)
		if !ok || b.Term == "" {
			continue
		}
		if found != nil {
			return nil, leadership.Token{}, false
		}
		t, err := leadership.ParseToken(b.Term)
		if err != nil {
			continue
		}
		found, tok = m, t
	}
	return found, tok, found != nil
}

// failIf returns an error when any condition failed, naming the first.
func failIf(checks ...check) error {
	for _, c := range checks {
		if !c.ok {
			return errors.New(c.msg)
		}
	}
	return nil
}

// check is one named condition of an effect.
type check struct {
	ok  bool
	msg string
}
