package fsm

import "errors"

var (
	// ErrRefused is returned by Machine.Fire when the table refuses the event
	// in the current state, or does not know the event at all. The state is
	// unchanged. The wrapping error names the state, the event and the reason.
	ErrRefused = errors.New("fsm: event refused")

	// ErrInvalidTable is returned by Table.Validate and NewMachine when a table
	// is incomplete or inconsistent. The wrapping error names the offending
	// state, event or (state, event) pair.
	ErrInvalidTable = errors.New("fsm: invalid table")
)
