package transport

import (
	"errors"

	"github.com/batonhq/baton/fsm"
)

// ResultOf classifies a store call's error for the decision cores (the
// election's and the session keeper's): the one mapping from this
// package's errors to fsm.WriteResult. A write whose reply never came may
// have happened: that is WriteUnknown, never WriteFailed.
func ResultOf(err error) fsm.WriteResult {
	switch {
	case err == nil:
		return fsm.WriteOK
	case errors.Is(err, ErrConflict):
		return fsm.WriteConflict
	case errors.Is(err, ErrUnknownOutcome):
		return fsm.WriteUnknown
	case ClassOf(err) == ClassPermanent:
		return fsm.WritePermanent
	default:
		return fsm.WriteFailed
	}
}
