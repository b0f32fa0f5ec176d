package actortest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Expect waits up to timeout for the next message of type T and returns it.
// Messages of other types that arrive first are taken and discarded; if none
// of type T arrives in time, the test fails with a message listing them.
func Expect[T any](tb testing.TB, p *Probe, timeout time.Duration) T {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var seen []string
	for {
		for msg, ok := p.take(); ok; msg, ok = p.take() {
			if m, ok := msg.(T); ok {
				return m
			}
			seen = append(seen, describe(msg))
		}
		select {
		case <-p.arrived:
		case <-deadline.C:
			tb.Fatalf("actortest: waited %v for %v; saw: [%s]", timeout, reflect.TypeFor[T](), strings.Join(seen, ", "))
			var zero T
			return zero
		}
	}
}

// ExpectNext waits up to timeout for the next message and returns it; the
// test fails if none arrives in time or if it is not of type T. Use it where
// the order of messages is part of what is tested.
func ExpectNext[T any](tb testing.TB, p *Probe, timeout time.Duration) T {
	tb.Helper()
	var zero T
	msg, ok := next(p, timeout)
	if !ok {
		tb.Fatalf("actortest: waited %v for %v; nothing arrived", timeout, reflect.TypeFor[T]())
		return zero
	}
	m, ok := msg.(T)
	if !ok {
		tb.Fatalf("actortest: next message is %s; want %v", describe(msg), reflect.TypeFor[T]())
		return zero
	}
	return m
}

// next takes the oldest recorded message, waiting up to timeout for one.
func next(p *Probe, timeout time.Duration) (any, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if msg, ok := p.take(); ok {
			return msg, true
		}
		select {
		case <-p.arrived:
		case <-deadline.C:
			return p.take()
		}
	}
}

// ExpectNo fails the test if a message of type T arrives within the given
// duration. Absence cannot be observed as an event, so this bounded wait is
// the assertion itself: it always takes the full duration. Messages of other
// types are left for later Expect calls.
func ExpectNo[T any](tb testing.TB, p *Probe, within time.Duration) {
	tb.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		if msg, ok := find[T](p); ok {
			tb.Fatalf("actortest: expected no %v within %v; got %s", reflect.TypeFor[T](), within, describe(msg))
			return
		}
		select {
		case <-p.arrived:
		case <-deadline.C:
			if msg, ok := find[T](p); ok {
				tb.Fatalf("actortest: expected no %v within %v; got %s", reflect.TypeFor[T](), within, describe(msg))
			}
			return
		}
	}
}

// find returns the oldest recorded message of type T without taking it.
func find[T any](p *Probe) (any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, msg := range p.received {
		if _, ok := msg.(T); ok {
			return msg, true
		}
	}
	return nil, false
}

func describe(msg any) string {
	return fmt.Sprintf("%T %+v", msg, msg)
}
