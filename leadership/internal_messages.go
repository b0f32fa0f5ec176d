package leadership

import (
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

// Messages between the election actor, its children and the replies of the
// store. Every reply about a term or an attempt carries it, so the decision
// core drops a reply that is no longer current.
type (
	// storeOpened is the outcome of opening the lease store: the store, if
	// it opened, waits in handoff.
	storeOpened struct {
		handoff *storeHandoff
		err     error
	}
	// keyObserved is a change of the role's key, from the watch child.
	keyObserved struct{ event transport.KeyEvent }
	// connChanged is a connection status change, from the connection child.
	connChanged struct{ event transport.ConnEvent }
	// healthReport is one health check's outcome, from the health child.
	healthReport struct {
		err      error
		failures int // consecutive failures, 0 when healthy
	}
	// callDone is the store's answer to one call of the election.
	callDone struct {
		call   interpret.Call
		answer interpret.Answer
	}
	// stopElection asks the election to end gracefully: a leader demotes and
	// releases its lease (unless keepLease), the election waits, bounded by
	// OpTimeout, for the replies of writes in flight, answers the sender with
	// *electionEnded and stops itself.
	stopElection struct{ keepLease bool }
	// electionEnded answers stopElection.
	electionEnded struct{}
)

// Discard gives back a store that opened after its election stopped.
func (m *storeOpened) Discard() { m.handoff.abandon() }
