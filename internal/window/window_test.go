package window_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/window"
)

// await waits for ch within a deadline, naming what it waited for.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("waited 5s for %s", what)
		panic("unreachable")
	}
}

// TestRoomGoesToTheOldestWaiter: with the window full, waiters enter in
// the order they came, each when one inside leaves, and a key's window is
// gone once nothing is inside.
func TestRoomGoesToTheOldestWaiter(t *testing.T) {
	s := window.New[string](2)
	ctx := context.Background()
	var inside []func()
	for range 2 {
		leave, err := s.Enter(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		inside = append(inside, leave)
	}
	entered := make(chan int, 3)
	for i := range 3 {
		go func() {
			leave, err := s.Enter(ctx, "k")
			if err != nil {
				t.Error(err)
				return
			}
			entered <- i
			leave()
		}()
		// The next waiter starts only once this one waits: the window's
		// queue, not the scheduler, decides who enters first.
		deadline := time.Now().Add(5 * time.Second)
		for s.Waiting("k") != i+1 {
			if time.Now().After(deadline) {
				t.Fatalf("waited 5s for waiter %d to queue", i)
			}
			runtime.Gosched()
		}
	}
	select {
	case i := <-entered:
		t.Fatalf("waiter %d entered a full window", i)
	default:
	}
	inside[0]()
	for want := range 3 {
		if got := await(t, entered, "a waiter to enter"); got != want {
			t.Fatalf("waiter %d entered before waiter %d", got, want)
		}
	}
	inside[1]()
	if n := s.Len(); n != 0 {
		t.Fatalf("%d windows kept after everything left", n)
	}
}

// TestAWaiterWhoseContextEndsHoldsNothing: a waiter that gives up gets
// ctx's error and takes no room, so the next waiter enters when room comes.
func TestAWaiterWhoseContextEndsHoldsNothing(t *testing.T) {
	s := window.New[int](1)
	leave, err := s.Enter(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Enter(ctx, 7); !errors.Is(err, context.Canceled) {
		t.Fatalf("a waiter whose context ended got %v, want context.Canceled", err)
	}
	entered := make(chan struct{})
	go func() {
		next, err := s.Enter(context.Background(), 7)
		if err != nil {
			t.Error(err)
			return
		}
		next()
		close(entered)
	}()
	leave()
	await(t, entered, "the next waiter to enter once the room was given back")
	if n := s.Len(); n != 0 {
		t.Fatalf("%d windows kept after everything left", n)
	}
}

// TestKeysHaveWindowsOfTheirOwn: a full window of one key does not hold up
// another's.
func TestKeysHaveWindowsOfTheirOwn(t *testing.T) {
	s := window.New[string](1)
	a, err := s.Enter(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := s.Enter(ctx, "b")
	if err != nil {
		t.Fatalf("key b waited for key a's window: %v", err)
	}
	if s.Inside("a") != 1 || s.Inside("b") != 1 {
		t.Fatalf("inside a %d, b %d; want 1 each", s.Inside("a"), s.Inside("b"))
	}
	a()
	if s.Inside("a") != 0 || s.Inside("b") != 1 {
		t.Fatalf("after a left: inside a %d, b %d; want 0 and 1", s.Inside("a"), s.Inside("b"))
	}
	b()
}
