package transport_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/batonhq/baton/transport/storetest"
)

// openProvenSession opens a session store, binds a lease to it so its
// session opens, and returns the store and the live session's key.
func openProvenSession(t *testing.T) (*transport.JetStreamStore, string) {
	t.Helper()
	store := openSessionStore(t, natstest.RunServer(t).URL(), 1)
	if _, err := store.Acquire(ctx(t), "role", record("a", time.Second)); err != nil {
		t.Fatalf("acquire: %v", err)
	}
	key := store.Session()
	if key == "" || store.Proof().Key != key {
		t.Fatalf("no live, proven session after an acquisition: session %q, proof %+v", key, store.Proof())
	}
	return store, key
}

// awaitWake waits for a wake on woke, failing with what was awaited.
func awaitWake(t *testing.T, woke <-chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case <-woke:
	case <-time.After(within):
		t.Fatalf("no wake within %v: %s", within, what)
	}
}

// wakeChan returns a wake function and the channel it signals.
func wakeChan() (func(), chan struct{}) {
	woke := make(chan struct{}, 1)
	return func() {
		select {
		case woke <- struct{}{}:
		default:
		}
	}, woke
}

// TestAwaitProofOlderWakesOnlyWhenTheProofAges: while the keepalive keeps
// the session proven, a caller waiting for a proof older than two renewal
// intervals is not woken; one waiting for a proof older than a fraction of
// the keepalive's period is, once the newest proof ages that much.
func TestAwaitProofOlderWakesOnlyWhenTheProofAges(t *testing.T) {
	store, key := openProvenSession(t)
	wakeLong, wokeLong := wakeChan()
	cancel := store.AwaitProofOlder(key, 2*storetest.SessionRenew, wakeLong)
	defer cancel()
	wakeShort, wokeShort := wakeChan()
	defer store.AwaitProofOlder(key, storetest.SessionRenew/10, wakeShort)()
	awaitWake(t, wokeShort, 5*storetest.SessionRenew, "the proof older than a tenth of a renewal interval")
	// The session stays proven across several keepalives: the long wait
	// is never woken.
	select {
	case <-wokeLong:
		t.Fatalf("woken while the session was proven (proof %v old)", time.Since(store.Proof().At))
	case <-time.After(6 * storetest.SessionRenew):
	}
}

// TestAwaitProofOlderWakesAtOnceForASessionNotLive: a caller whose session
// is not the live one, or who names none, is woken before the call
// returns.
func TestAwaitProofOlderWakesAtOnceForASessionNotLive(t *testing.T) {
	store, _ := openProvenSession(t)
	for _, key := range []string{"", transport.SessionsPrefix + "ended"} {
		woken := false
		store.AwaitProofOlder(key, time.Hour, func() { woken = true })()
		if !woken {
			t.Errorf("session %q: not woken at once", key)
		}
	}
}

// TestAwaitProofOlderWakesWhenTheStoreCloses: closing the store ends its
// session, and wakes whoever waited on it; a cancelled wait is not woken.
func TestAwaitProofOlderWakesWhenTheStoreCloses(t *testing.T) {
	store, key := openProvenSession(t)
	wake, woke := wakeChan()
	defer store.AwaitProofOlder(key, time.Hour, wake)()
	cancelled := make(chan struct{}, 1)
	store.AwaitProofOlder(key, time.Hour, func() { cancelled <- struct{}{} })()
	store.Close()
	awaitWake(t, woke, time.Second, "the wait on the session of a closed store")
	select {
	case <-cancelled:
		t.Fatal("a cancelled wait was woken")
	default:
	}
}
