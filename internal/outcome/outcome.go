// Package outcome tells the decision core how a store call answered: the
// one mapping from transport's errors to fsm.WriteResult, shared by the
// election actor and the tests that drive the core against a real server.
package outcome

import (
	"errors"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// Of classifies a store call's error for the core. A write whose reply
// never came may have happened: that is Unknown, never Failed.
func Of(err error) fsm.WriteResult {
	switch {
	case err == nil:
		return fsm.WriteOK
	case errors.Is(err, transport.ErrConflict):
		return fsm.WriteConflict
	case errors.Is(err, transport.ErrUnknownOutcome):
		return fsm.WriteUnknown
	case transport.ClassOf(err) == transport.ClassPermanent:
		return fsm.WritePermanent
	default:
		return fsm.WriteFailed
	}
}
