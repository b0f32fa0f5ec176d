package leadership

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/transport"
)

// minRenewDeadline is the shortest renew deadline a WorkStopBudget may
// leave: three heartbeats of 10ms.
const minRenewDeadline = 30 * time.Millisecond

// configErrors collects one error per invalid field.
type configErrors []error

// add records that field is invalid.
func (e *configErrors) add(field, format string, args ...any) {
	*e = append(*e, fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...)))
}

// validate checks a config whose defaults are filled, naming every invalid
// field. The timing relations are checked only against a valid TTL, drift
// and RenewDeadline, so one mistake is reported once.
func (c Config) validate() error {
	var errs configErrors
	if c.Conn == nil {
		errs.add("Conn", "a NATS connection is required")
	}
	if !transport.ValidRole(c.Role) {
		errs.add("Role", "%q must be non-empty letters, digits and -/_=. ('.' not first or last, no '..')", c.Role)
	}
	if !transport.ValidBucketName(c.Bucket) {
		errs.add("Bucket", "%q must be non-empty letters, digits, '-' and '_'", c.Bucket)
	}
	if strings.ContainsAny(c.InstanceID, "/ \t\n") {
		errs.add("InstanceID", "%q must not contain '/' or whitespace", c.InstanceID)
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		errs.add("Replicas", "%d must be between 1 and 5", c.Replicas)
	}
	if c.Priority < 0 {
		errs.add("Priority", "%d must not be negative", c.Priority)
	}
	c.validateTimings(&errs)
	if c.HealthInterval <= 0 {
		errs.add("HealthInterval", "%v must be positive", c.HealthInterval)
	}
	if c.HealthFailureThreshold < 1 {
		errs.add("HealthFailureThreshold", "%d must be at least 1", c.HealthFailureThreshold)
	}
	if c.CampaignJitter < 0 {
		errs.add("CampaignJitter", "%v must not be negative (None turns it off)", c.CampaignJitter)
	}
	if c.RetryInitialInterval <= 0 || c.RetryMaxInterval < c.RetryInitialInterval {
		errs.add("RetryInitialInterval", "%v must be positive and at most RetryMaxInterval %v", c.RetryInitialInterval, c.RetryMaxInterval)
	}
	if c.ResignHoldOff < 0 {
		errs.add("ResignHoldOff", "%v must not be negative (None turns it off)", c.ResignHoldOff)
	}
	if c.BreakerThreshold < 1 {
		errs.add("BreakerThreshold", "%d must be at least 1", c.BreakerThreshold)
	}
	if c.BreakerCooldown <= 0 {
		errs.add("BreakerCooldown", "%v must be positive", c.BreakerCooldown)
	}
	if c.PollInterval <= 0 {
		errs.add("PollInterval", "%v must be positive", c.PollInterval)
	}
	return errors.Join(errs...)
}

// validateTimings checks TTL, MaxClockDrift and the timings that must fit
// inside them.
func (c Config) validateTimings(errs *configErrors) {
	ttlOK := c.TTL >= time.Second && c.TTL%time.Second == 0
	driftOK := c.MaxClockDrift >= 0 && c.MaxClockDrift <= 0.2
	if !driftOK {
		errs.add("MaxClockDrift", "%v must be in [0, 0.2] (None assumes none)", c.MaxClockDrift)
	}
	if !ttlOK {
		errs.add("TTL", "%v must be a whole number of seconds, at least 1s (the server's TTL granularity)", c.TTL)
	}
	if !ttlOK || !driftOK {
		return
	}
	if c.MaxServerClockSkew < 0 || c.MaxServerClockSkew >= c.TTL/2 {
		errs.add("MaxServerClockSkew", "%v must be at least 0 and less than TTL/2 = %v (None assumes none)", c.MaxServerClockSkew, c.TTL/2)
		return
	}
	if c.WorkStopBudget < 0 {
		errs.add("WorkStopBudget", "%v must not be negative", c.WorkStopBudget)
		return
	}
	if c.SuccessionStandBy <= 0 || c.SuccessionStandBy >= c.TTL {
		errs.add("SuccessionStandBy", "%v must be positive and less than TTL %v", c.SuccessionStandBy, c.TTL)
	}
	limit := maxRenewDeadline(c.TTL, c.MaxClockDrift, c.MaxServerClockSkew, c.WorkStopBudget)
	if limit <= 0 || c.WorkStopBudget > 0 && limit < minRenewDeadline {
		errs.add("WorkStopBudget", "%v leaves no time to lead: (TTL-MaxServerClockSkew)*(1-2*MaxClockDrift) - %v - WorkStopBudget = %v; at most %v fits TTL %v, leaving RenewDeadline %v",
			c.WorkStopBudget, SafetyMargin, limit, max(limit+c.WorkStopBudget-minRenewDeadline, 0), c.TTL, minRenewDeadline)
		return
	}
	if c.RenewDeadline <= 0 || c.RenewDeadline > limit {
		errs.add("RenewDeadline", "%v must be positive and at most (TTL-MaxServerClockSkew)*(1-2*MaxClockDrift) - %v - WorkStopBudget = %v, so the leader gives up, and its work stops, before the server frees its key (leave it zero to derive it from TTL)",
			c.RenewDeadline, SafetyMargin, limit)
		return
	}
	if c.HeartbeatInterval <= 0 || c.HeartbeatInterval > c.RenewDeadline/3 {
		errs.add("HeartbeatInterval", "%v must be positive and at most RenewDeadline/3 = %v, so two renewals can fail before the deadline",
			c.HeartbeatInterval, c.RenewDeadline/3)
	}
	if c.DisconnectGrace <= 0 || c.DisconnectGrace > c.RenewDeadline {
		errs.add("DisconnectGrace", "%v must be positive and at most RenewDeadline %v", c.DisconnectGrace, c.RenewDeadline)
	}
	if c.OpTimeout <= 0 || c.OpTimeout > c.RenewDeadline {
		errs.add("OpTimeout", "%v must be positive and at most RenewDeadline %v", c.OpTimeout, c.RenewDeadline)
	}
}
