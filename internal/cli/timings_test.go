package cli

import (
	"strings"
	"testing"
	"time"
)

// TestTimingsPassValidation checks that the timings derived from TTLs the
// examples accept satisfy the election's own validation.
func TestTimingsPassValidation(t *testing.T) {
	for _, ttl := range []time.Duration{time.Second, 2 * time.Second, 10 * time.Second, time.Minute} {
		cfg := Timings(ttl)
		cfg.Role, cfg.InstanceID = "scheduler", "node-1"
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "Conn") {
			t.Fatalf("ttl %v: Validate = %v, want only the missing Conn refused", ttl, err)
		}
	}
}
