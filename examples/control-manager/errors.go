package main

import "errors"

var (
	// errStaleToken is returned by resource.apply for a write whose fencing
	// token does not supersede the highest the resource has accepted: its
	// writer's term has ended, whatever the writer believes.
	errStaleToken = errors.New("stale fencing token")
	// errInvalidOptions is wrapped by every error options.validate returns;
	// the message names the flag at fault.
	errInvalidOptions = errors.New("invalid option")
	// errTimeout is returned by run when a step of the scenario did not
	// happen in time; the message says which.
	errTimeout = errors.New("scenario step timed out")
)
