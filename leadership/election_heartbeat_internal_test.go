package leadership

import (
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/actors/actortest"
	"github.com/batonhq/baton/internal/natstest"
)

// heartbeatReceive is the function from which the heartbeat child arms its
// timer, and only it.
var heartbeatReceive = runtime.FuncForPC(reflect.ValueOf((*heartbeatChild).Receive).Pointer()).Name()

// heartbeatFaultClock is real time whose AfterFunc panics when called by
// the heartbeat child, and only then: the election arms its own timers on
// the same clock (Config.Timings.Clock), and those work. It tells the callers
// apart by the stack: the durations cannot, as the election arms timers
// as short as the heartbeat's (OpTimeout is HeartbeatInterval by default,
// a late renewal leaves little of the deadline, a campaign may be due at
// once).
type heartbeatFaultClock struct {
	refused atomic.Int64
}

func (c *heartbeatFaultClock) Now() time.Time { return time.Now() }

func (c *heartbeatFaultClock) AfterFunc(d time.Duration, f func()) func() bool {
	if calledFrom(heartbeatReceive) {
		c.refused.Add(1)
		panic("clock failed to arm the heartbeat")
	}
	return time.AfterFunc(d, f).Stop
}

// calledFrom reports whether fn is on the caller's stack.
func calledFrom(fn string) bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		frame, more := frames.Next()
		if frame.Function == fn {
			return true
		}
		if !more {
			return false
		}
	}
}

func TestHeartbeatFaultClockRefusesTheHeartbeatOnly(t *testing.T) {
	clock := &heartbeatFaultClock{}
	clock.AfterFunc(time.Hour, func() {})() // armed, and stopped: not the heartbeat
	system, parent, events := spawnHeartbeatParent(t, clock)
	await[*heartbeatReady](t, events, "the heartbeat child to announce itself")
	system.Root.Send(parent, &armHeartbeat{term: 1, seq: 1, after: time.Millisecond})
	await[*heartbeatReady](t, events, "the heartbeat child, restarted after its arming failed, to announce itself")
	if n := clock.refused.Load(); n != 1 {
		t.Fatalf("the clock refused %d armings, want the heartbeat's one", n)
	}
}

func TestLeaderWhoseHeartbeatIsGivenUpIsDemoted(t *testing.T) {
	srv := natstest.RunServer(t)
	system := actortest.NewSystem(t)
	clock := &heartbeatFaultClock{}
	// A heartbeat that fails at every start is given up after the
	// supervision's restarts, about 3.1s of backoff in all. The
	// RenewDeadline derived from a TTL of 10s (7s) is longer, so the leader
	// still leads, without renewing, when its heartbeat is given up; with
	// a RenewDeadline under about 3s the deadline would demote it first.
	cfg := Config{Conn: natstest.Connect(t, srv.URL()), Role: "beat", InstanceID: "a", TTL: 10 * time.Second, Timings: Timings{Clock: clock}}
	props, err := NewProps(cfg)
	if err != nil {
		t.Fatalf("NewProps: %v", err)
	}
	probe, pid := actortest.NewParentProbe(t, system, props)
	t.Cleanup(func() { _ = system.Root.PoisonFuture(pid).Wait() })

	promoted := actortest.Expect[*Promoted](t, probe, 10*time.Second)
	demoted := actortest.Expect[*Demoted](t, probe, 20*time.Second)
	if demoted.Reason != ReasonChildFailed || demoted.Token != promoted.Token {
		t.Fatalf("demoted from term %v for %v; want term %v for %v", demoted.Token, demoted.Reason, promoted.Token, ReasonChildFailed)
	}
	if n, want := clock.refused.Load(), int64(actors.DefaultMaxRestarts+1); n < want {
		t.Fatalf("the clock refused %d heartbeat armings, want at least %d (the first start and every restart)", n, want)
	}
	res, err := system.Root.RequestFuture(pid, &GetStatus{}, 5*time.Second).Result()
	if err != nil {
		t.Fatalf("GetStatus after the demotion: %v", err)
	}
	if st := res.(*Status); !strings.Contains(st.LastError, "heartbeat child gave up") {
		t.Fatalf("status after the demotion: last error %q, want the heartbeat child given up", st.LastError)
	}
}
