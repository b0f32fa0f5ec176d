package leadership

import (
	"time"

	"github.com/batonhq/baton/transport"
)

// Messages between the election actor, its children and its goroutines.
// Every report about a term carries the term (the token revision) so that a
// report from an earlier term is dropped.
type (
	// storeOpened says the outcome of opening the lease store is waiting
	// on the actor's opening channel.
	storeOpened struct{}
	// openResult is the outcome of opening the lease store.
	openResult struct {
		store *transport.JetStreamStore
		err   error
	}
	// attemptFinished says an acquisition attempt's result is waiting on
	// the attempt channel.
	attemptFinished struct{ seq uint64 }
	// keyObserved is a change of the role's key, from the watch child.
	keyObserved struct{ event transport.KeyEvent }
	// connChanged is a connection status change, from the connection child.
	connChanged struct{ event transport.ConnEvent }
	// healthReport is one health check's outcome, from the health child.
	healthReport struct {
		err      error
		failures int // consecutive failures, 0 when healthy
	}
	// leaseUpdate hands the heartbeat child the lease to renew.
	leaseUpdate struct {
		term  uint64
		lease transport.Lease
	}
	// needLease is sent by a (re)started heartbeat child for its lease.
	needLease struct{ term uint64 }
	// proveLease asks the heartbeat child to renew now, after a reconnect.
	proveLease struct{ term uint64 }
	// renewed reports a renewal that succeeded; sentAt is when it was sent.
	renewed struct {
		term   uint64
		lease  transport.Lease
		sentAt time.Time
	}
	// renewFailed reports a renewal that failed.
	renewFailed struct {
		term uint64
		err  error
	}
	// released reports a release made outside the actor.
	released struct {
		err     error
		replyTo *resignWaiter
	}
	// stopOptions tells the actor how to stop before it is poisoned.
	stopOptions struct{ deleteKey bool }
)

// resignWaiter is where a Resign's answer goes once its release finished.
type resignWaiter struct {
	reply func(*ResignResult)
}
