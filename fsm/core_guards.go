package fsm

// Guards of the decision core's rows: questions about the state and the
// input, never about the clock (the time comes with the input).

func opened(c *step) bool    { return c.in.Err == "" }
func permanent(c *step) bool { return c.in.Permanent }
func forced(c *step) bool    { return c.in.Forced }
func actorFailed(c *step) bool {
	return c.in.Err != ""
}

// timer matches a tick of the named timer.
func timer(name Timer) guard {
	return func(c *step) bool { return c.in.Timer == name }
}

// child matches the failure of the named child.
func child(which Child) guard {
	return func(c *step) bool { return c.in.Child == which }
}

// result matches a write's answer.
func result(r WriteResult) guard {
	return func(c *step) bool { return c.in.Result == r }
}

// conn matches a connection change.
func conn(st ConnState) guard {
	return func(c *step) bool { return c.in.Conn == st }
}

// both and all3 combine guards.
func both(a, b guard) guard {
	return func(c *step) bool { return a(c) && b(c) }
}

func all3(a, b, d guard) guard {
	return func(c *step) bool { return a(c) && b(c) && d(c) }
}

func won(c *step) bool { return c.in.Result == WriteOK }
func refused(c *step) bool {
	return c.in.Result == WriteConflict || c.in.Result == WritePermanent
}

func keyFree(c *step) bool { return claimable(c, c.in.Key) }
func keyHeld(c *step) bool { return !claimable(c, c.in.Key) }

// claimable: the key may be taken: it is free, or it holds a term of ours
// under our own live session while we lead none (see KeyView.Ours), and no
// expiry marker can still erase it (claimSettled).
func claimable(c *step, k KeyView) bool {
	return k.Free || k.Ours && c.s.Lease.Term == 0 && claimSettled(c)
}

// oursLeft: the key was last seen holding a term of ours under our own
// session, we lead no term, release none and attempt none (a candidate
// whose release of such a term failed may lead again meanwhile), and we do
// not yet count the key as free.
func oursLeft(c *step) bool {
	return c.s.OursRevision != 0 && c.s.Lease.Term == 0 && c.s.Attempt == 0 && !c.s.Releasing && !c.s.ReleaseDue && !c.s.KeyFree &&
		claimSettled(c)
}

// keyMovedOn: the key was written or deleted by someone else after our
// lease's last write, so the lease is gone for certain. A read that found
// nothing (revision 0) proves nothing.
//
// A key seen free at our lease's own revision says the session that kept
// the lease has ended (transport.KeySessionEnded): the lease is gone too,
// and others may take it over now.
func keyMovedOn(c *step) bool {
	if c.in.Key.Free && c.in.Key.Revision != 0 && c.in.Key.Revision == c.s.Lease.Revision {
		return true
	}
	if c.in.Key.Revision <= c.s.Lease.Revision {
		return false
	}
	if c.in.Key.Free {
		return true
	}
	h := c.in.Key.Holder
	return h.Foreign || h.Term != c.s.Lease.Term || h.Nonce != c.s.Lease.Nonce
}

func holdsNothing(c *step) bool { return c.s.Lease.Term == 0 }
func noAttempt(c *step) bool    { return c.s.Attempt == 0 }
func proving(c *step) bool      { return c.s.Proving }
func unhealthy(c *step) bool    { return !c.s.Healthy }

// mayNotLeadNow: health or a child that gave up keeps us from leading.
func mayNotLeadNow(c *step) bool { return !c.s.Healthy || c.s.Failed != 0 }
func childDown(c *step) bool     { return c.s.Failed != 0 }
func notRenewing(c *step) bool   { return !c.s.Renewing }
func releaseDue(c *step) bool    { return c.s.ReleaseDue }
func disconnected(c *step) bool {
	return !c.s.Connected
}

// ours matches the answer to the acquisition in flight.
func ours(c *step) bool { return c.s.Attempt != 0 && c.in.Seq == c.s.Attempt }

// inTime: the create was sent recently enough that its lease still has time
// left on our clock.
func inTime(c *step) bool {
	return c.in.At.Before(c.in.SentAt.Add(c.t.RenewDeadline))
}

// currentTerm matches a tick armed for the term we hold.
func currentTerm(c *step) bool {
	return c.s.Lease.Term != 0 && c.in.Term == c.s.Lease.Term
}

// deadlinePassed: no renewal sent within RenewDeadline has succeeded.
func deadlinePassed(c *step) bool {
	return !c.in.At.Before(c.s.LastRenewal.Add(c.t.RenewDeadline))
}

// renewalOfOurs matches the answer to our renewal in flight.
func renewalOfOurs(c *step) bool {
	return c.s.Renewing && c.s.Lease.Term != 0 && c.in.Lease.Term == c.s.Lease.Term
}

// releaseOfOurs matches the answer to our release in flight.
func releaseOfOurs(c *step) bool {
	return c.s.Releasing && c.in.Lease.Term == c.s.Lease.Term
}

// breakerTrips: this failure opens the circuit breaker.
func breakerTrips(c *step) bool {
	if c.in.Result == WriteOK || c.in.Result == WriteConflict {
		return false
	}
	return c.s.Breaker == BreakerHalfOpen || c.s.Failures+1 >= c.t.BreakerThreshold
}

// mayCampaign: the key looks free and nothing holds the candidate back now.
func mayCampaign(c *step) bool {
	return c.s.KeyFree && c.s.Healthy && c.s.Failed == 0 && c.s.Attempt == 0 && !c.s.Releasing && !c.s.ReleaseDue && !c.s.AwaitingWork &&
		!c.in.At.Before(c.s.HoldOffUntil) && (c.s.Breaker != BreakerOpen || !c.in.At.Before(c.s.BreakerUntil))
}

// heldBackByTime: the key looks free and only the resign hold-off or the
// breaker's cool-down holds the candidate back.
func heldBackByTime(c *step) bool {
	return c.s.KeyFree && c.s.Healthy && c.s.Failed == 0 && c.s.Attempt == 0 && !c.s.AwaitingWork &&
		(c.in.At.Before(c.s.HoldOffUntil) || (c.s.Breaker == BreakerOpen && c.in.At.Before(c.s.BreakerUntil)))
}

// turnsUnhealthy and turnsHealthy match a health report that changes the
// candidate's health.
func turnsUnhealthy(c *step) bool {
	return c.s.Healthy && c.in.Failures >= c.t.HealthFailureThreshold
}

func turnsHealthy(c *step) bool {
	return !c.s.Healthy && c.in.Failures < c.t.HealthFailureThreshold
}

// idle: nothing is in flight, and no release waits for the work to stop.
func idle(c *step) bool {
	return c.s.Attempt == 0 && !c.s.Renewing && !c.s.Releasing && !c.s.ReleaseDue && !c.s.AwaitingWork
}
