package main

import "errors"

var (
	// errInvalidOptions is returned by parseFlags and run for settings that
	// cannot work; the message names the flag.
	errInvalidOptions = errors.New("invalid options")
	// errNoLeader is returned by run when a role finds no leader in time;
	// the message names the roles.
	errNoLeader = errors.New("roles without a leader")
)
