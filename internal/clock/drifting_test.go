package clock

import (
	"errors"
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNewDriftingRejectsNoClock(t *testing.T) {
	for _, rho := range []float64{-1, -2, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if c, err := NewDrifting(rho); !errors.Is(err, ErrInvalidDrift) {
			t.Errorf("NewDrifting(%v) = %v, %v; want ErrInvalidDrift", rho, c, err)
		}
	}
}

// A drifting clock maps its own times back to the real instants they were
// read at, so a deadline it computed can be compared with real times.
func TestRealInvertsNow(t *testing.T) {
	for _, rho := range []float64{-0.5, 0, 0.05, 1} {
		c, err := NewDrifting(rho)
		if err != nil {
			t.Fatal(err)
		}
		const rounding = time.Microsecond // two float conversions of a duration
		before := time.Now()
		got := c.Real(c.Now())
		after := time.Now()
		if got.Before(before.Add(-rounding)) || got.After(after.Add(rounding)) {
			t.Errorf("rho %v: Real(Now()) = %v, want within [%v, %v]", rho, got, before, after)
		}
	}
}

// A fast clock's timer fires before a real timer of the same duration, and
// when it fires, at least that duration has passed on the clock.
func TestFastTimerFiresFirst(t *testing.T) {
	c, err := NewDrifting(1) // twice real time
	if err != nil {
		t.Fatal(err)
	}
	const d = 200 * time.Millisecond
	fired := make(chan string, 2)
	armed := c.Now()
	var onClock time.Duration
	c.AfterFunc(d, func() {
		onClock = c.Now().Sub(armed)
		fired <- "drifting"
	})
	time.AfterFunc(d, func() { fired <- "real" })
	for _, want := range []string{"drifting", "real"} {
		select {
		case got := <-fired:
			if got != want {
				t.Fatalf("the %s timer fired first, want the drifting one", got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("waited 10s for the %s timer of %v", want, d)
		}
	}
	if onClock < d {
		t.Errorf("the drifting timer fired after %v on its clock, before %v", onClock, d)
	}
}

func TestStopCancelsATimer(t *testing.T) {
	c, err := NewDrifting(-0.5)
	if err != nil {
		t.Fatal(err)
	}
	stop := c.AfterFunc(time.Hour, func() { t.Error("a stopped timer fired") })
	if !stop() {
		t.Fatal("stop of a pending timer reported it had already fired")
	}
}

func TestScaleSaturates(t *testing.T) {
	if got := scale(math.MaxInt64, 3); got != math.MaxInt64 {
		t.Errorf("scale(max, 3) = %v, want the largest Duration", got)
	}
	if got := scale(math.MinInt64, 3); got != math.MinInt64 {
		t.Errorf("scale(min, 3) = %v, want the smallest Duration", got)
	}
}
