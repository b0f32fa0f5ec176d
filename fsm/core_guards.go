package fsm

// Guards of the decision core's rows: questions about the state and the
// input, never about the clock (the time comes with the input).

func opened(_ *ElectionState, in Input, _ Timing) bool    { return in.Err == "" }
func permanent(_ *ElectionState, in Input, _ Timing) bool { return in.Permanent }
func forced(_ *ElectionState, in Input, _ Timing) bool    { return in.Forced }
func actorFailed(_ *ElectionState, in Input, _ Timing) bool {
	return in.Err != ""
}

// timer matches a tick of the named timer.
func timer(name Timer) guard {
	return func(_ *ElectionState, in Input, _ Timing) bool { return in.Timer == name }
}

// result matches a write's answer.
func result(r WriteResult) guard {
	return func(_ *ElectionState, in Input, _ Timing) bool { return in.Result == r }
}

// conn matches a connection change.
func conn(st ConnState) guard {
	return func(_ *ElectionState, in Input, _ Timing) bool { return in.Conn == st }
}

// both and all3 combine guards.
func both(a, b guard) guard {
	return func(s *ElectionState, in Input, t Timing) bool { return a(s, in, t) && b(s, in, t) }
}

func all3(a, b, c guard) guard {
	return func(s *ElectionState, in Input, t Timing) bool { return a(s, in, t) && b(s, in, t) && c(s, in, t) }
}

func won(_ *ElectionState, in Input, _ Timing) bool { return in.Result == WriteOK }
func refused(_ *ElectionState, in Input, _ Timing) bool {
	return in.Result == WriteConflict || in.Result == WritePermanent
}

func keyFree(s *ElectionState, in Input, _ Timing) bool { return claimable(s, in.Key) }
func keyHeld(s *ElectionState, in Input, _ Timing) bool { return !claimable(s, in.Key) }

// claimable: the key may be taken: it is free, or it holds a term of ours
// under our own live session while we lead none (see KeyView.Ours).
func claimable(s *ElectionState, k KeyView) bool { return k.Free || k.Ours && s.Lease.Term == 0 }

// oursLeft: the key was last seen holding a term of ours under our own
// session, we lead no term and release none, and we do not yet count the
// key as free.
func oursLeft(s *ElectionState, _ Input, _ Timing) bool {
	return s.OursRevision != 0 && s.Lease.Term == 0 && !s.Releasing && !s.ReleaseDue && !s.KeyFree
}

// keyMovedOn: the key was written or deleted by someone else after our
// lease's last write, so the lease is gone for certain. A read that found
// nothing (revision 0) proves nothing.
//
// A key seen free at our lease's own revision says the session that kept
// the lease has ended (transport.KeySessionEnded): the lease is gone too,
// and others may take it over now.
func keyMovedOn(s *ElectionState, in Input, _ Timing) bool {
	if in.Key.Free && in.Key.Revision != 0 && in.Key.Revision == s.Lease.Revision {
		return true
	}
	if in.Key.Revision <= s.Lease.Revision {
		return false
	}
	if in.Key.Free {
		return true
	}
	h := in.Key.Holder
	return h.Foreign || h.Term != s.Lease.Term || h.Nonce != s.Lease.Nonce
}

func holdsNothing(s *ElectionState, _ Input, _ Timing) bool { return s.Lease.Term == 0 }
func noAttempt(s *ElectionState, _ Input, _ Timing) bool    { return s.Attempt == 0 }
func proving(s *ElectionState, _ Input, _ Timing) bool      { return s.Proving }
func unhealthy(s *ElectionState, _ Input, _ Timing) bool    { return !s.Healthy }

// mayNotLeadNow: health or a child that gave up keeps us from leading.
func mayNotLeadNow(s *ElectionState, _ Input, _ Timing) bool { return !s.Healthy || s.Failed != 0 }
func childDown(s *ElectionState, _ Input, _ Timing) bool     { return s.Failed != 0 }
func notRenewing(s *ElectionState, _ Input, _ Timing) bool   { return !s.Renewing }
func releaseDue(s *ElectionState, _ Input, _ Timing) bool    { return s.ReleaseDue }
func disconnected(s *ElectionState, _ Input, _ Timing) bool {
	return !s.Connected
}

// ours matches the answer to the acquisition in flight.
func ours(s *ElectionState, in Input, _ Timing) bool { return s.Attempt != 0 && in.Seq == s.Attempt }

// inTime: the create was sent recently enough that its lease still has time
// left on our clock.
func inTime(_ *ElectionState, in Input, t Timing) bool {
	return in.At.Before(in.SentAt.Add(t.RenewDeadline))
}

// currentTerm matches a tick armed for the term we hold.
func currentTerm(s *ElectionState, in Input, _ Timing) bool {
	return s.Lease.Term != 0 && in.Term == s.Lease.Term
}

// deadlinePassed: no renewal sent within RenewDeadline has succeeded.
func deadlinePassed(s *ElectionState, in Input, t Timing) bool {
	return !in.At.Before(s.LastRenewal.Add(t.RenewDeadline))
}

// renewalOfOurs matches the answer to our renewal in flight.
func renewalOfOurs(s *ElectionState, in Input, _ Timing) bool {
	return s.Renewing && s.Lease.Term != 0 && in.Lease.Term == s.Lease.Term
}

// releaseOfOurs matches the answer to our release in flight.
func releaseOfOurs(s *ElectionState, in Input, _ Timing) bool {
	return s.Releasing && in.Lease.Term == s.Lease.Term
}

// breakerTrips: this failure opens the circuit breaker.
func breakerTrips(s *ElectionState, in Input, t Timing) bool {
	if in.Result == WriteOK || in.Result == WriteConflict {
		return false
	}
	return s.Breaker == BreakerHalfOpen || s.Failures+1 >= t.BreakerThreshold
}

// mayCampaign: the key looks free and nothing holds the candidate back now.
func mayCampaign(s *ElectionState, in Input, _ Timing) bool {
	return s.KeyFree && s.Healthy && s.Failed == 0 && s.Attempt == 0 && !s.Releasing && !s.ReleaseDue && !s.AwaitingWork &&
		!in.At.Before(s.HoldOffUntil) && (s.Breaker != BreakerOpen || !in.At.Before(s.BreakerUntil))
}

// heldBackByTime: the key looks free and only the resign hold-off or the
// breaker's cool-down holds the candidate back.
func heldBackByTime(s *ElectionState, in Input, _ Timing) bool {
	return s.KeyFree && s.Healthy && s.Failed == 0 && s.Attempt == 0 && !s.AwaitingWork &&
		(in.At.Before(s.HoldOffUntil) || (s.Breaker == BreakerOpen && in.At.Before(s.BreakerUntil)))
}

// turnsUnhealthy and turnsHealthy match a health report that changes the
// candidate's health.
func turnsUnhealthy(s *ElectionState, in Input, t Timing) bool {
	return s.Healthy && in.Failures >= t.HealthFailureThreshold
}

func turnsHealthy(s *ElectionState, in Input, t Timing) bool {
	return !s.Healthy && in.Failures < t.HealthFailureThreshold
}

// idle: nothing is in flight, and no release waits for the work to stop.
func idle(s *ElectionState, _ Input, _ Timing) bool {
	return s.Attempt == 0 && !s.Renewing && !s.Releasing && !s.ReleaseDue && !s.AwaitingWork
}
