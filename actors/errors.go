package actors

import "errors"

var (
	// ErrInvalidPeriod is returned by Timers.Every when the period is not
	// positive. The wrapping error names the timer and the period.
	ErrInvalidPeriod = errors.New("actors: timer period must be positive")

	// ErrInvalidBackoff is returned by BackoffSupervision.Validate when a field
	// is out of range. The wrapping error names the field and its value.
	ErrInvalidBackoff = errors.New("actors: invalid backoff supervision")
)
