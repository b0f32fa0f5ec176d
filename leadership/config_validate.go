package leadership

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/transport"
)

// minRenewDeadline is the shortest renew deadline a Timings.WorkStopBudget
// may leave: three heartbeats of 10ms.
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
	if !transport.ValidBucketName(c.Bucket.Name) {
		errs.add("Bucket.Name", "%q must be non-empty letters, digits, '-' and '_'", c.Bucket.Name)
	}
	if strings.ContainsAny(c.InstanceID, "/ \t\n") {
		errs.add("InstanceID", "%q must not contain '/' or whitespace", c.InstanceID)
	}
	if c.Bucket.Replicas < 1 || c.Bucket.Replicas > 5 {
		errs.add("Bucket.Replicas", "%d must be between 1 and 5", c.Bucket.Replicas)
	}
	if c.Priority < 0 {
		errs.add("Priority", "%d must not be negative", c.Priority)
	}
	c.validateTimings(&errs)
	if c.Health.Interval <= 0 {
		errs.add("Health.Interval", "%v must be positive", c.Health.Interval)
	}
	if c.Health.FailureThreshold < 1 {
		errs.add("Health.FailureThreshold", "%d must be at least 1", c.Health.FailureThreshold)
	}
	t := c.Timings
	if t.CampaignJitter < 0 {
		errs.add("Timings.CampaignJitter", "%v must not be negative (None turns it off)", t.CampaignJitter)
	}
	if t.RetryInitialInterval <= 0 || t.RetryMaxInterval < t.RetryInitialInterval {
		errs.add("Timings.RetryInitialInterval", "%v must be positive and at most RetryMaxInterval %v", t.RetryInitialInterval, t.RetryMaxInterval)
	}
	if t.ResignHoldOff < 0 {
		errs.add("Timings.ResignHoldOff", "%v must not be negative (None turns it off)", t.ResignHoldOff)
	}
	if t.BreakerThreshold < 1 {
		errs.add("Timings.BreakerThreshold", "%d must be at least 1", t.BreakerThreshold)
	}
	if t.BreakerCooldown <= 0 {
		errs.add("Timings.BreakerCooldown", "%v must be positive", t.BreakerCooldown)
	}
	if t.PollInterval <= 0 {
		errs.add("Timings.PollInterval", "%v must be positive", t.PollInterval)
	}
	return errors.Join(errs...)
}

// validateTimings checks TTL, Timings.MaxClockDrift and the timings that
// must fit inside them.
func (c Config) validateTimings(errs *configErrors) {
	t := c.Timings
	ttlOK := c.TTL >= time.Second && c.TTL%time.Second == 0
	driftOK := t.MaxClockDrift >= 0 && t.MaxClockDrift <= 0.2
	if !driftOK {
		errs.add("Timings.MaxClockDrift", "%v must be in [0, 0.2] (None assumes none)", t.MaxClockDrift)
	}
	if !ttlOK {
		errs.add("TTL", "%v must be a whole number of seconds, at least 1s (the server's TTL granularity)", c.TTL)
	}
	if !ttlOK || !driftOK {
		return
	}
	if t.MaxServerClockSkew < 0 || t.MaxServerClockSkew >= c.TTL/2 {
		errs.add("Timings.MaxServerClockSkew", "%v must be at least 0 and less than TTL/2 = %v (None assumes none)", t.MaxServerClockSkew, c.TTL/2)
		return
	}
	if t.WorkStopBudget < 0 {
		errs.add("Timings.WorkStopBudget", "%v must not be negative", t.WorkStopBudget)
		return
	}
	if c.Succession.StandBy <= 0 || c.Succession.StandBy >= c.TTL {
		errs.add("Succession.StandBy", "%v must be positive and less than TTL %v", c.Succession.StandBy, c.TTL)
	}
	limit := maxRenewDeadline(c.TTL, t.MaxClockDrift, t.MaxServerClockSkew, t.WorkStopBudget)
	if limit <= 0 || t.WorkStopBudget > 0 && limit < minRenewDeadline {
		errs.add("Timings.WorkStopBudget", "%v leaves no time to lead: (TTL-MaxServerClockSkew)*(1-2*MaxClockDrift) - %v - WorkStopBudget = %v; at most %v fits TTL %v, leaving RenewDeadline %v",
			t.WorkStopBudget, SafetyMargin, limit, max(limit+t.WorkStopBudget-minRenewDeadline, 0), c.TTL, minRenewDeadline)
		return
	}
	if t.RenewDeadline <= 0 || t.RenewDeadline > limit {
		errs.add("Timings.RenewDeadline", "%v must be positive and at most (TTL-MaxServerClockSkew)*(1-2*MaxClockDrift) - %v - WorkStopBudget = %v, so the leader gives up, and its work stops, before the server frees its key (leave it zero to derive it from TTL)",
			t.RenewDeadline, SafetyMargin, limit)
		return
	}
	if t.HeartbeatInterval <= 0 || t.HeartbeatInterval > t.RenewDeadline/3 {
		errs.add("Timings.HeartbeatInterval", "%v must be positive and at most RenewDeadline/3 = %v, so two renewals can fail before the deadline",
			t.HeartbeatInterval, t.RenewDeadline/3)
	}
	if t.DisconnectGrace <= 0 || t.DisconnectGrace > t.RenewDeadline {
		errs.add("Timings.DisconnectGrace", "%v must be positive and at most RenewDeadline %v", t.DisconnectGrace, t.RenewDeadline)
	}
	if t.OpTimeout <= 0 || t.OpTimeout > t.RenewDeadline {
		errs.add("Timings.OpTimeout", "%v must be positive and at most RenewDeadline %v", t.OpTimeout, t.RenewDeadline)
	}
}
