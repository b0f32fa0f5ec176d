package natstest

import (
	"errors"
	"fmt"
	"time"
)

// pollInterval is short because the conditions polled (listeners up, raft
// leaders elected) change within milliseconds and tests wait on them.
const pollInterval = 10 * time.Millisecond

// errFatal marks a check error that waiting cannot cure (the server logged a
// fatal error); poll returns it at once instead of at the deadline.
var errFatal = errors.New("fatal")

// poll calls check until it returns nil, an errFatal error, or timeout passes,
// and then returns the last error check gave, so a timeout says what was
// still missing.
func poll(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		err := check()
		if err == nil || errors.Is(err, errFatal) {
			return err
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("after %s: %w", timeout, err)
		}
		<-ticker.C
	}
}
