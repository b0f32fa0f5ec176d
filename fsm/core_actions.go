package fsm

import "time"

// Actions of the decision core's rows: they change the state being built and
// append effects, in the order the election actor must carry them out.

func ignore(*step) {}

// openStore asks for the lease store.
func openStore(c *step) { c.emit(Effect{Kind: DoOpenStore}) }

// startChildren starts the watch, connection and health children.
func startChildren(c *step) {
	c.s.LastError = ""
	c.emit(Effect{Kind: DoStartChildren, Child: ChildWatch | ChildConnection | ChildHealth | ChildRegistry})
}

// failForGood ends an election whose store can never open.
func failForGood(c *step) {
	c.s.LastError, c.s.Fatal = c.in.Err, c.in.Err
	c.emit(Effect{Kind: DoFail, Err: c.in.Err})
	c.emit(Effect{Kind: DoFinish})
}

// retryOpen tries to open the store again after a backoff.
func retryOpen(c *step) {
	c.s.LastError = c.in.Err
	c.s.Failures++
	c.s.RetryDelay = c.backoff()
	c.arm(TimerOpen, 0, c.s.RetryDelay)
	c.emit(Effect{Kind: DoWarn, Err: "opening the lease store failed; retrying: " + c.in.Err})
}

// observeThen records what the key holds, announces a change of holder and
// runs the rest.
func observeThen(rest ...action) action {
	return func(c *step) {
		k := c.in.Key
		c.s.KeyFree = claimable(c, k)
		c.s.OursRevision, c.s.OursTerm, c.s.OursNonce = 0, 0, ""
		if k.Ours {
			c.s.OursRevision, c.s.OursTerm, c.s.OursNonce = k.Revision, k.Holder.Term, k.Holder.Nonce
		}
		h := k.Holder
		c.s.FreeRevision, c.s.FreeExpiring, c.s.FreeWritten = 0, false, time.Time{}
		c.s.FreeSession, c.s.FreeSessionEnd = "", 0
		if c.s.KeyFree {
			c.s.FreeExpiring, c.s.FreeWritten = k.Expiring, k.Written
			c.s.FreeSession, c.s.FreeSessionEnd = k.Session, k.SessionEnd
			h = Holder{}
			c.s.FreeRevision = k.Revision
			if c.s.Observed.Name != "" {
				c.s.Departed = c.s.Observed.Name
			}
		}
		c.observe(h)
		for _, a := range rest {
			a(c)
		}
	}
}

// campaignSoon arms the campaign timer when the key looks free: at once for
// the first in the order of succession, later for the others (see
// succession); the tick decides whether we may campaign then.
func campaignSoon(c *step) {
	if c.s.KeyFree && c.s.Attempt == 0 {
		c.arm(TimerCampaign, 0, c.succession())
	}
}

// campaignLater re-arms the campaign timer for when the hold-off or the
// breaker's cool-down ends.
func campaignLater(c *step) {
	until := c.s.HoldOffUntil
	if c.s.Breaker == BreakerOpen && c.s.BreakerUntil.After(until) {
		until = c.s.BreakerUntil
	}
	c.arm(TimerCampaign, 0, until.Sub(c.in.At))
}

func cancelCampaign(c *step) { c.cancel(TimerCampaign) }

// acquire starts an acquisition; its answer comes back as InAcquired with
// the same sequence number. Over what the key held when it was seen free
// (a marker, an offer, a lease whose session ended) it writes at that
// revision as the acquisition rows choose (core_acquire.go), so the store
// needs one round trip. An open breaker whose cool-down ended allows this
// one trial.
func acquire(c *step) {
	e := Effect{Kind: DoAcquire, By: ByCreate}
	if c.s.KeyFree {
		e.By, e.Over = acquireBy(&c.s), c.s.FreeRevision
	}
	if e.By == ByTakeOver {
		e.Session, e.SessionEnd = c.s.FreeSession, c.s.FreeSessionEnd
	}
	startAcquisition(c, e)
	if e.Over != 0 && c.s.FreeExpiring {
		c.startClaim(c.s.FreeWritten)
	}
}

// startAcquisition sends the acquisition e with the next sequence number.
func startAcquisition(c *step, e Effect) {
	if c.s.Breaker == BreakerOpen {
		c.s.Breaker = BreakerHalfOpen
	}
	c.s.Attempts++
	c.s.Attempt, c.s.AttemptBy = c.s.Attempts, e.By
	e.Seq = c.s.Attempt
	c.emit(e)
}

// promote makes the won lease ours: its deadline counts from when the create
// was sent.
func promote(c *step) { c.lead(c.in.Lease, c.in.SentAt) }

// lead makes lease ours, its deadline counting from sentAt.
func (c *step) lead(lease Lease, sentAt time.Time) {
	c.attemptOver()
	c.breakerSucceeded()
	c.s.Lease = lease
	c.s.LastRenewal = sentAt
	c.s.Proving = false
	c.s.KeyFree = false
	term := c.s.Lease.Term
	c.arm(TimerDeadline, term, c.s.LastRenewal.Add(c.t.RenewDeadline).Sub(c.in.At))
	c.arm(TimerHeartbeat, term, c.untilNextBeat(sentAt))
	if !c.s.Connected {
		c.arm(TimerGrace, term, c.t.DisconnectGrace)
	}
	c.emit(Effect{Kind: DoPromoted, Lease: c.s.Lease})
	c.observe(Holder{Name: c.t.InstanceID, Term: term, Revision: c.s.Lease.Revision, Nonce: c.s.Lease.Nonce})
}

// releaseWon hands back a lease won when it could not be used: while held
// back, while stopping, or too late to lead (our own create then holds the
// key until the release, and the watch tells when it is free again).
//
// The key is not free while we hold it, whatever the watch showed before
// the win was answered: a view of our new key as a term of ours to claim
// (KeyView.Ours while we led nothing) must not outlive the win. If the
// release then fails under our live session, the key is a term of ours
// left behind, and only a key not counted as free is claimed back ("a term
// of ours is left under our session").
func releaseWon(c *step) { c.releaseUnused(c.in.Lease, c.in.SentAt) }

// releaseUnused releases a lease won but not led, whose proof was sent at
// sentAt.
func (c *step) releaseUnused(lease Lease, sentAt time.Time) {
	c.attemptOver()
	c.breakerSucceeded()
	c.s.Lease, c.s.LastRenewal = lease, sentAt
	c.s.KeyFree, c.s.FreeRevision = false, 0
	c.release()
}

// lostRace follows the winner. The key still counts as free until the
// watch shows the winner: if it shows nothing by the time the timer fires
// (the winner's lease lapsed at once, or the refusal came from a session
// that ended meanwhile, whose end the watch will not report again), we
// campaign again rather than wait for a change that may never come.
func lostRace(c *step) {
	c.attemptOver()
	c.breakerSucceeded()
	c.arm(TimerCampaign, 0, c.t.PollInterval+c.jitter())
}

// openBreaker pauses acquisition for the cool-down.
func openBreaker(c *step) {
	c.attemptOver()
	c.s.Failures++
	c.s.LastError = c.in.Err
	c.s.Breaker, c.s.BreakerUntil = BreakerOpen, c.in.At.Add(c.t.BreakerCooldown)
	c.s.RetryDelay = c.t.BreakerCooldown
	c.arm(TimerCampaign, 0, c.t.BreakerCooldown)
	c.emit(Effect{Kind: DoWarn, Err: "circuit breaker open: acquisition paused: " + c.in.Err})
}

// retryAcquire tries again after a backoff. A create whose answer is unknown
// may have left our key in place: nobody can take it until it expires, and
// we never act on it.
func retryAcquire(c *step) {
	c.attemptOver()
	c.s.Failures++
	c.s.LastError = c.in.Err
	c.s.RetryDelay = c.backoff()
	c.arm(TimerCampaign, 0, c.s.RetryDelay)
	if c.in.Result == WritePermanent {
		c.emit(Effect{Kind: DoWarn, Err: "acquisition cannot succeed: " + c.in.Err})
	}
}

func forgetAttempt(c *step) { c.attemptOver() }

// attemptOver forgets the acquisition in flight, with its claim and its
// confirmation.
func (c *step) attemptOver() {
	c.s.Attempt, c.s.AttemptBy, c.s.Claiming, c.s.Confirming = 0, 0, false, Lease{}
	c.s.ClaimSentAt, c.s.ClaimAnswered, c.s.OfferWritten = time.Time{}, time.Time{}, time.Time{}
}

// renew sends a renewal of our lease at its newest revision.
func renew(c *step) {
	c.unpark()
	c.s.Renewing = true
	c.emit(Effect{Kind: DoRenew, Lease: c.s.Lease})
}

// renewed moves the deadline to RenewDeadline after the renewal was sent.
func renewed(c *step) {
	c.s.Renewing = false
	c.s.Lease.Revision = c.in.Lease.Revision
	if c.in.SentAt.After(c.s.LastRenewal) {
		c.s.LastRenewal = c.in.SentAt
	}
	c.s.Proving = false
	term := c.s.Lease.Term
	c.arm(TimerDeadline, term, c.s.LastRenewal.Add(c.t.RenewDeadline).Sub(c.in.At))
	c.arm(TimerHeartbeat, term, c.untilNextBeat(c.in.SentAt))
}

// renewUnproven keeps leading until the deadline and tries again at the next
// heartbeat.
func renewUnproven(c *step) {
	c.s.Renewing = false
	c.s.LastError = c.in.Err
	c.arm(TimerHeartbeat, c.s.Lease.Term, c.untilNextBeat(c.in.SentAt))
}

// releaseAfterRenewal releases at the revision the renewal left, or at the
// last one known when its outcome is unknown (the store re-reads the key
// and deletes it if it is still ours). A refused renewal means the key is not
// ours any more: nothing to release. A renewal answered after the lease's
// deadline may be erased by the expiry marker of the write it replaced, and
// everything written over it with it: the lease is released, never offered.
func releaseAfterRenewal(c *step) {
	c.s.Renewing, c.s.ReleaseDue = false, false
	switch c.in.Result {
	case WriteOK:
		c.s.Lease.Revision = c.in.Lease.Revision
		if !answeredInTime(c) {
			c.s.OfferTo = ""
		}
		c.release()
	case WriteConflict, WritePermanent:
		c.released("")
	default:
		c.release()
	}
}

// released settles our release.
func released(c *step) {
	err := c.in.Err
	if c.in.Result == WriteConflict {
		err = "" // the key had moved on already: nothing of ours is left
	}
	c.s.Releasing, c.s.ReleasingLeft = false, false
	if c.in.Result == WriteOK {
		c.s.OursRevision = 0 // the key is ours no more
	}
	c.released(err)
}

// claimOurs takes up a term of ours that we no longer lead and nobody else
// can free (see ElectionState.OursRevision): the key counts as free at its
// revision, and we campaign for it.
func claimOurs(c *step) {
	c.s.KeyFree, c.s.FreeRevision = true, c.s.OursRevision
	c.s.FreeSession, c.s.FreeSessionEnd = "", 0
	c.s.FreeExpiring, c.s.FreeWritten = false, time.Time{} // a lease, not an offer: no TTL of its own to erase a write over it
	campaignSoon(c)
}

// endTermKeep ends the term without touching the key: a lease we cannot
// prove is left to expire.
func endTermKeep(c *step) { c.endTerm(false) }

// endTermKeepThen ends the term as endTermKeep does and runs the rest.
func endTermKeepThen(rest ...action) action {
	return func(c *step) {
		c.endTerm(false)
		for _, a := range rest {
			a(c)
		}
	}
}

// releasedThenCampaign settles our release and, if the key was seen free
// meanwhile, campaigns: a campaign tick that came while the release was in
// flight was held back, and the watch will not report the same free key
// again.
func releasedThenCampaign(c *step) {
	released(c)
	campaignSoon(c)
}

// endTermRelease ends the term and releases the key, so a successor need
// not wait for the TTL.
func endTermRelease(c *step) { c.endTerm(true) }

// armGrace starts the disconnect grace.
func armGrace(c *step) { c.arm(TimerGrace, c.s.Lease.Term, c.t.DisconnectGrace) }

// prove asks for a renewal now: after a reconnect, only a renewal proves
// the lease survived.
func prove(c *step) {
	c.cancel(TimerGrace)
	c.s.Proving = true
	if !c.s.Renewing {
		renew(c)
	}
}

// connectionThen records the connection's state and runs the rest.
func connectionThen(rest ...action) action {
	return func(c *step) {
		switch c.in.Conn {
		case ConnLost:
			c.s.Connected = false
		case ConnBack:
			c.s.Connected = true
			c.cancel(TimerGrace)
		case ConnClosed:
			c.s.Connected = false
			c.s.LastError = "the NATS connection is closed"
		}
		for _, a := range rest {
			a(c)
		}
	}
}

// healthThen records the candidate's health and runs the rest.
func healthThen(rest ...action) action {
	return func(c *step) {
		if c.in.Err != "" {
			c.s.LastError = c.in.Err
		}
		c.s.Healthy = c.in.Failures < c.t.HealthFailureThreshold
		for _, a := range rest {
			a(c)
		}
	}
}

// childDownThen records a child that gave up, restarts it after a delay and
// runs the rest.
func childDownThen(rest ...action) action {
	return func(c *step) {
		c.s.Failed |= c.in.Child
		c.s.LastError = c.in.Child.String() + " child gave up: " + c.in.Err
		c.arm(TimerRespawn, 0, c.t.RespawnDelay)
		for _, a := range rest {
			a(c)
		}
	}
}

// registryDown forgets the order of succession of a registry that gave
// up, and restarts it after a delay: until then the election campaigns as
// with no order known.
func registryDown(c *step) {
	c.s.Order, c.s.Outranked = Order{}, false
	c.s.RegistryDown = true
	c.s.LastError = ChildRegistry.String() + " child gave up: " + c.in.Err
	c.arm(TimerRespawn, 0, c.t.RespawnDelay)
}

// respawn starts the children that gave up.
func respawn(c *step) {
	which := c.s.Failed
	if c.s.RegistryDown {
		which |= ChildRegistry
	}
	if which == 0 {
		return
	}
	c.emit(Effect{Kind: DoStartChildren, Child: which})
	c.s.Failed, c.s.RegistryDown = 0, false
}

// resign ends the term, releases the key (answering once that is done) and
// holds off campaigning.
func resign(c *step) {
	c.s.ResignWaiting = true
	c.s.HoldOffUntil = c.in.At.Add(c.t.ResignHoldOff)
	c.endTerm(true)
	c.arm(TimerCampaign, 0, c.t.ResignHoldOff)
}

// answerResign refuses a Resign.
func answerResign(why string) action {
	return func(c *step) { c.emit(Effect{Kind: DoAnswerResign, Err: why}) }
}

// stopLeading ends the term and, unless asked to keep it, releases the lease.
func stopLeading(c *step) {
	c.s.KeepLease = c.in.KeepLease && c.in.Err == ""
	c.endTerm(!c.s.KeepLease)
	stop(c)
}

// stop waits, bounded by OpTimeout, for the writes in flight; a forced stop
// cannot wait. While the ended term's release waits for its work to stop,
// the bound starts once the work has stopped and the release is sent
// (armStop).
func stop(c *step) {
	c.cancel(TimerCampaign)
	c.cancel(TimerOpen)
	c.cancel(TimerRespawn)
	c.cancel(TimerRetryRelease)
	if c.in.Forced {
		abandonInFlight(c)
		return
	}
	if !c.s.AwaitingWork {
		armStop(c)
	}
}

// armStop bounds the wait for the replies of the writes in flight.
func armStop(c *step) { c.arm(TimerStop, 0, c.t.OpTimeout) }

// abandonInFlight stops waiting for replies. A release still due goes out
// now at the newest revision known (the store re-reads the key on a
// conflict); an attempt in flight may leave a lease that expires by TTL.
func abandonInFlight(c *step) {
	if c.s.AwaitingWork {
		// Going away before the work reported stopped: the lease is left to
		// expire rather than handed on while that work may still run.
		c.s.AwaitingWork, c.s.OfferTo = false, ""
		c.cancel(TimerWorkStop)
		c.s.Lease = Lease{}
	}
	if c.s.ReleaseDue {
		c.s.ReleaseDue, c.s.Renewing = false, false
		c.s.OfferTo = "" // no time to wait for a claim: free the key
		c.release()
	}
	if c.s.Releasing && c.s.Lease.Term != 0 {
		c.s.Unreleased = c.s.Lease
	}
	c.attemptOver()
	c.s.Renewing, c.s.Releasing, c.s.ReleasingLeft = false, false, false
	if c.s.ResignWaiting {
		c.released("stopped before the release answered")
	}
}

// finish ends the election, handing the store a term of ours whose release
// did not finish.
func finish(c *step) {
	c.cancel(TimerStop)
	c.emit(Effect{Kind: DoFinish, Lease: c.s.Unreleased})
}

// releasedLeavingTerm settles a release that failed while stopping: the
// term is left for the store to release (see ElectionState.Unreleased).
func releasedLeavingTerm(c *step) {
	c.s.Unreleased = c.s.Lease
	released(c)
}

// endTerm announces the end of our term and forgets or releases its lease.
// With Timing.AwaitWorkStopped the release waits until the parent reports
// the term's work stopped (InWorkStopped), at most a TTL: by then the lease
// has expired on its own.
func (c *step) endTerm(release bool) {
	c.cancel(TimerDeadline)
	c.cancel(TimerHeartbeat)
	c.cancel(TimerGrace)
	c.s.Proving = false
	c.emit(Effect{Kind: DoDemoted, Lease: c.s.Lease, Reason: c.reason})
	if release && c.t.AwaitWorkStopped {
		c.s.AwaitingWork = true
		c.arm(TimerWorkStop, c.s.Lease.Term, c.t.TTL)
		return
	}
	if release {
		c.release()
		return
	}
	c.s.Lease, c.s.Renewing = Lease{}, false
}

// release deletes our lease's key at its newest revision: at once, or when
// the renewal in flight answers. Past the lease's deadline a key with a TTL
// of its own (and the room kept for the work to stop, WorkStopBudget) is
// left to expire instead: its expiry marker may already be on its way, and
// would erase the release and a successor's acquisition written over it
// with it.
func (c *step) release() {
	if c.s.Renewing {
		c.s.ReleaseDue = true
		return
	}
	if !c.t.Sessions && !c.in.At.Before(c.s.LastRenewal.Add(c.t.RenewDeadline+c.t.WorkStopBudget)) {
		c.s.OfferTo = ""
		c.released("the lease's deadline passed before its release could be sent")
		return
	}
	c.s.Releasing = true
	if c.s.OfferTo != "" {
		c.emit(Effect{Kind: DoOffer, Lease: c.s.Lease, Successor: c.s.OfferTo})
		return
	}
	c.emit(Effect{Kind: DoRelease, Lease: c.s.Lease})
}

// released forgets the lease and answers a waiting Resign.
func (c *step) released(err string) {
	if err != "" {
		c.s.LastError = "release failed; the lease will expire by TTL: " + err
	}
	c.s.Lease, c.s.OfferTo, c.s.ReadBack = Lease{}, "", 0
	if c.s.ResignWaiting {
		c.s.ResignWaiting = false
		c.emit(Effect{Kind: DoAnswerResign, Err: err})
	}
}

// observe records the holder seen and announces a change of holder. A
// renewal of the same term is no change.
func (c *step) observe(h Holder) {
	o := c.s.Observed
	if h.Name == o.Name && h.Foreign == o.Foreign && h.Term == o.Term && h.Nonce == o.Nonce {
		c.s.Observed.Revision = h.Revision
		return
	}
	c.s.Observed = h
	c.emit(Effect{Kind: DoLeaderChanged, Holder: h})
}

// breakerSucceeded closes the breaker and resets the backoff.
func (c *step) breakerSucceeded() {
	c.s.Failures, c.s.Breaker, c.s.BreakerUntil, c.s.RetryDelay = 0, BreakerClosed, time.Time{}, 0
}

// arm and cancel ask for a timer change.
// Arming the heartbeat on a timer unparks it (core_park.go); cancelling
// it leaves nothing parked.
func (c *step) arm(name Timer, term uint64, after time.Duration) {
	if name == TimerHeartbeat {
		c.unpark()
	}
	c.emit(Effect{Kind: DoArmTimer, Timer: name, Term: term, After: max(after, 0)})
}

func (c *step) cancel(name Timer) {
	if name == TimerHeartbeat {
		c.s.Parked = false
	}
	c.emit(Effect{Kind: DoCancelTimer, Timer: name})
}

// untilNextBeat is how long after now the next renewal is due: a heartbeat
// after the last one was sent.
func (c *step) untilNextBeat(sentAt time.Time) time.Duration {
	return sentAt.Add(c.t.HeartbeatInterval).Sub(c.in.At)
}

// jitter is a pseudo-random delay up to CampaignJitter, shorter for a higher
// priority, that spreads candidates woken by the same event. It is drawn
// from the seed and the attempt count, so a replay draws the same.
func (c *step) jitter() time.Duration {
	if c.t.CampaignJitter <= 0 {
		return 0
	}
	r := mix(c.t.Seed ^ (c.s.Attempts+1)*0x9e3779b97f4a7c15 ^ uint64(c.in.At.UnixNano()))
	return time.Duration(r%uint64(c.t.CampaignJitter+1)) / time.Duration(1+max(c.t.Priority, 0))
}

// backoff is the delay before the next try after Failures failures in a
// row: exponential from RetryInitial up to RetryMax, with jitter in its
// upper half.
func (c *step) backoff() time.Duration {
	d := c.t.RetryInitial
	for i := 1; i < c.s.Failures && d < c.t.RetryMax; i++ {
		d *= 2
	}
	d = min(d, c.t.RetryMax)
	if d <= 1 {
		return d
	}
	r := mix(c.t.Seed ^ uint64(c.s.Failures)<<32 ^ uint64(c.in.At.UnixNano()))
	return d/2 + time.Duration(r%uint64(d/2+1))
}

// mix is splitmix64's finalizer: a cheap, well-spread hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}
