package actors

import "errors"

var (
	// ErrMissingHandler is returned by NewStateMachine when a state of the
	// table has no handler (or a nil one). The wrapping error names the state.
	ErrMissingHandler = errors.New("actors: state has no handler")

	// ErrUnknownState is returned by NewStateMachine when a handler is given
	// for a state the table does not list, which is usually a misspelt state.
	// The wrapping error names the state.
	ErrUnknownState = errors.New("actors: handler for a state the table does not list")

	// ErrInvalidPeriod is returned by Timers.Every when the period is not
	// positive. The wrapping error names the timer and the period.
	ErrInvalidPeriod = errors.New("actors: timer period must be positive")

	// ErrInvalidBackoff is returned by BackoffSupervision.Validate when a field
	// is out of range. The wrapping error names the field and its value.
	ErrInvalidBackoff = errors.New("actors: invalid backoff supervision")
)
