package main

import (
	"fmt"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// The grace and the lease. When a leader's renewals fail, CMD must have
// stopped before the server can free the lease, or a successor's CMD starts
// next to it. So `baton run` gives the election a work stop budget of
// --grace plus killAllowance (leadership.Config.Timings.WorkStopBudget), and
// the leader demotes itself that much earlier. The budget comes out of the
// lease, so a --grace too long for --ttl is refused before baton connects.

// killAllowance is the time kept, after SIGKILL, for CMD's process group to
// die and baton to see its supervisor exit: tens of milliseconds on an idle
// host, more on a loaded one.
const killAllowance = 250 * time.Millisecond

// workStopBudget is the election's WorkStopBudget for grace.
func workStopBudget(grace time.Duration) time.Duration { return grace + killAllowance }

// defaultGrace is --grace's default for ttl: 2s at the default 10s. It fits
// every TTL from 2s up; at 1s only a grace of tens of milliseconds does.
func defaultGrace(ttl time.Duration) time.Duration { return ttl / 5 }

// checkGrace returns an error naming the largest grace that fits ttl when
// grace does not. The TTL must be valid (checkTTL).
func checkGrace(ttl, grace time.Duration, isDefault bool) error {
	if graceFits(ttl, grace) {
		return nil
	}
	what := fmt.Sprintf("--grace %v", grace)
	if isDefault {
		what = fmt.Sprintf("--grace's default %v (--ttl/5)", grace)
	}
	const why = "CMD must be stopped, SIGKILL included, before the server can free the lease"
	largest, ok := largestGrace(ttl)
	if !ok {
		return fmt.Errorf("%s does not fit --ttl %v: %s, and no grace fits; raise --ttl", what, ttl, why)
	}
	return fmt.Errorf("%s does not fit --ttl %v: %s; at most --grace %v fits, or raise --ttl", what, ttl, why, largest)
}

// largestGrace is the longest grace, in whole milliseconds, that fits ttl;
// ok is false when none does.
func largestGrace(ttl time.Duration) (largest time.Duration, ok bool) {
	if !graceFits(ttl, 0) {
		return 0, false
	}
	lo, hi := time.Duration(0), ttl // lo fits, hi does not: the budget comes out of the TTL
	for hi-lo > time.Millisecond {
		mid := (lo + hi) / 2 / time.Millisecond * time.Millisecond
		if graceFits(ttl, mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, true
}

// graceFits reports whether the election accepts a lease of ttl with the
// work stop budget of grace. Config.Validate judges the timings as a whole
// (the renew deadline left, and the heartbeat derived from it, must be
// positive), which no single formula here could without copying it. Only
// the timings differ between the configs it is given, so Conn and Role are
// stand-ins: the real ones are checked when the election starts.
func graceFits(ttl, grace time.Duration) bool {
	return leadership.Config{Conn: new(nats.Conn), Role: "r", TTL: ttl, Timings: leadership.Timings{WorkStopBudget: workStopBudget(grace)}}.Validate() == nil
}

// checkTTL refuses a TTL the election does not accept (a zero one would
// mean its default), before baton connects.
func checkTTL(ttl time.Duration) error {
	if ttl <= 0 || (leadership.Config{Conn: new(nats.Conn), Role: "r", TTL: ttl}).Validate() != nil {
		return fmt.Errorf("--ttl %v: must be a whole number of seconds, at least 1s", ttl)
	}
	return nil
}
