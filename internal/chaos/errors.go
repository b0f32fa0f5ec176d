package chaos

import "errors"

var (
	// ErrInvalidScenario is returned by Run and RunMixes when a Scenario or
	// MixOptions cannot be run; the message names the field at fault.
	ErrInvalidScenario = errors.New("chaos: invalid scenario")

	// ErrInfrastructure is returned by Run when the harness itself could not
	// do its job (a server, proxy or candidate process failed to start, a
	// node could not be restarted). It says nothing about the election.
	ErrInfrastructure = errors.New("chaos: harness failure")

	// ErrBadCandidateConfig is reported (on stderr, exit status 2) by a
	// candidate process whose configuration in CandidateEnv cannot be read.
	ErrBadCandidateConfig = errors.New("chaos: bad candidate config")
)

// errToldUnhealthy is what a candidate's health checker returns while the
// harness tells it to fail.
var errToldUnhealthy = errors.New("chaos: the harness marked this candidate unhealthy")
