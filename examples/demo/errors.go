package main

import "errors"

// errInvalidOptions is wrapped by every error options.validate returns; the
// message names the flag at fault.
var errInvalidOptions = errors.New("invalid option")
