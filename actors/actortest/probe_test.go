package actortest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/batonhq/baton/actors/actortest"
)

const wait = 2 * time.Second

type ping struct{ N int }

type pong struct{ N int }

// fakeTB records Fatalf instead of failing, to test the failure messages.
type fakeTB struct {
	testing.TB
	fatal string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
}

func TestExpectSkipsOtherTypes(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	system.Root.Send(p.PID(), &ping{N: 1})
	system.Root.Send(p.PID(), &ping{N: 2})
	system.Root.Send(p.PID(), &pong{N: 2})
	system.Root.Send(p.PID(), &ping{N: 3})

	// The probe's own *actor.Started is not recorded: the first message is ours.
	if got, ok := actortest.Expect[any](t, p, wait).(*ping); !ok || got.N != 1 {
		t.Fatalf("first recorded message = %+v, want ping N=1", got)
	}
	if got := actortest.Expect[*pong](t, p, wait); got.N != 2 {
		t.Fatalf("Expect[*pong] = %+v, want N=2", got)
	}
	if got := actortest.Expect[*ping](t, p, wait); got.N != 3 {
		t.Fatalf("Expect[*ping] after the skipped ping = %+v, want N=3", got)
	}
}

func TestExpectFailureListsWhatWasSeen(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	system.Root.Send(p.PID(), &ping{N: 7})
	actortest.Expect[*ping](t, p, wait)
	system.Root.Send(p.PID(), "hello")
	system.Root.Send(p.PID(), &ping{N: 8})
	system.Root.Send(p.PID(), "sentinel")
	actortest.Expect[string](t, p, wait)

	fake := &fakeTB{TB: t}
	got := actortest.Expect[*pong](fake, p, 50*time.Millisecond)

	if got != nil {
		t.Fatalf("Expect returned %+v after a timeout, want nil", got)
	}
	for _, want := range []string{"waited 50ms for *actortest_test.pong", `saw: [*actortest_test.ping &{N:8}, string sentinel]`} {
		if !strings.Contains(fake.fatal, want) {
			t.Errorf("failure message %q does not contain %q", fake.fatal, want)
		}
	}
}

func TestExpectNextChecksOrder(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	system.Root.Send(p.PID(), &ping{N: 1})
	system.Root.Send(p.PID(), &pong{N: 2})

	if got := actortest.ExpectNext[*ping](t, p, wait); got.N != 1 {
		t.Fatalf("ExpectNext[*ping] = %+v, want N=1", got)
	}
	fake := &fakeTB{TB: t}
	actortest.ExpectNext[*ping](fake, p, wait)
	if want := "next message is *actortest_test.pong &{N:2}; want *actortest_test.ping"; !strings.Contains(fake.fatal, want) {
		t.Fatalf("failure message %q does not contain %q", fake.fatal, want)
	}

	fake = &fakeTB{TB: t}
	actortest.ExpectNext[*ping](fake, p, 20*time.Millisecond)
	if want := "waited 20ms for *actortest_test.ping; nothing arrived"; !strings.Contains(fake.fatal, want) {
		t.Fatalf("failure message %q does not contain %q", fake.fatal, want)
	}
}

func TestExpectNo(t *testing.T) {
	system := actortest.NewSystem(t)
	p := actortest.NewProbe(t, system)
	system.Root.Send(p.PID(), &pong{N: 1})

	actortest.ExpectNo[*ping](t, p, 30*time.Millisecond)
	if got := actortest.Expect[*pong](t, p, wait); got.N != 1 {
		t.Fatalf("ExpectNo did not leave the other message: got %+v", got)
	}

	system.Root.Send(p.PID(), &ping{N: 2})
	fake := &fakeTB{TB: t}
	actortest.ExpectNo[*ping](fake, p, wait)
	if want := "expected no *actortest_test.ping"; !strings.Contains(fake.fatal, want) {
		t.Fatalf("failure message %q does not contain %q", fake.fatal, want)
	}
}

func TestParentProbeRecordsChildMessagesAndTermination(t *testing.T) {
	system := actortest.NewSystem(t)
	child := actor.PropsFromFunc(func(ctx actor.Context) {
		if m, ok := ctx.Message().(*ping); ok {
			ctx.Send(ctx.Parent(), &pong{N: m.N})
		}
	})
	p, pid := actortest.NewParentProbe(t, system, child)

	system.Root.Send(pid, &ping{N: 5})
	if got := actortest.Expect[*pong](t, p, wait); got.N != 5 {
		t.Fatalf("parent got %+v, want pong N=5", got)
	}

	system.Root.Stop(pid)
	if got := actortest.Expect[*actor.Terminated](t, p, wait); !got.Who.Equal(pid) {
		t.Fatalf("Terminated for %v, want the child %v", got.Who, pid)
	}
}
