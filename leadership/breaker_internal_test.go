package leadership

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	b := &breaker{threshold: 3, cooldown: 10 * time.Second}
	now := time.Unix(1000, 0)
	for i := range 2 {
		if ok, _ := b.allow(now); !ok {
			t.Fatalf("attempt %d refused while closed", i)
		}
		if b.record(false, now) {
			t.Fatalf("opened after %d failures, threshold 3", i+1)
		}
	}
	if !b.record(false, now) || b.state != BreakerOpen {
		t.Fatal("did not open after 3 consecutive failures")
	}
	if ok, wait := b.allow(now.Add(4 * time.Second)); ok || wait != 6*time.Second {
		t.Fatalf("open breaker: allow = %v, wait %v; want refused for 6s more", ok, wait)
	}
	if ok, _ := b.allow(now.Add(10 * time.Second)); !ok || b.state != BreakerHalfOpen {
		t.Fatalf("after the cool-down: allow = %v, state %v; want a half-open trial", ok, b.state)
	}
	if !b.record(false, now.Add(10*time.Second)) {
		t.Fatal("a failed trial must open the breaker again")
	}
	if ok, _ := b.allow(now.Add(20 * time.Second)); !ok {
		t.Fatal("second trial refused")
	}
	if b.record(true, now.Add(20*time.Second)) || b.state != BreakerClosed || b.failures != 0 {
		t.Fatalf("a successful trial must close the breaker: state %v failures %d", b.state, b.failures)
	}
	// A lost race counts as success: the store answered.
	b.record(false, now)
	b.record(true, now)
	b.record(false, now)
	b.record(false, now)
	if b.state != BreakerClosed {
		t.Fatal("failures must be consecutive to open the breaker")
	}
}
