package fsm

// A term of ours left under our own live session: its key names our
// session, so nobody else may take it over while the session lives, and we
// lead no term (a release failed, an acquisition's answer was lost). When
// we may lead, we claim it back ("a term of ours is left under our
// session"); when we may not (unhealthy, a child down, the resign hold-off,
// an open breaker), we release it, retrying every PollInterval until it is
// gone, so the role never waits for our health to return while a healthy
// candidate could lead. Neither happens while the key may still hold, or
// stand over, a claim of ours that an offer's expiry marker can erase
// (claimSettled): a write over it would be erased with it.

// mayNotLead: something keeps us from leading now.
func mayNotLead(c *step) bool {
	return !c.s.Healthy || c.s.Failed != 0 || c.in.At.Before(c.s.HoldOffUntil) ||
		(c.s.Breaker == BreakerOpen && c.in.At.Before(c.s.BreakerUntil))
}

// leftUnled: a term of ours is left under our session, we may not lead it,
// nothing of ours is in flight, and a failed release's retry is due.
func leftUnled(c *step) bool {
	return c.s.OursRevision != 0 && c.s.Lease.Term == 0 && c.s.Attempt == 0 && !c.s.Releasing && !c.s.ReleaseDue &&
		!c.s.AwaitingWork && !c.in.At.Before(c.s.LeftRetryAt) && claimSettled(c) && mayNotLead(c)
}

// releasingLeft: the release in flight is of a term left behind.
func releasingLeft(c *step) bool { return c.s.ReleasingLeft }

// releaseNotDone: the release neither happened nor found the key moved on.
func releaseNotDone(c *step) bool {
	return c.in.Result != WriteOK && c.in.Result != WriteConflict
}

// releaseLeft releases the term left behind, by its revision.
func releaseLeft(c *step) {
	c.s.Lease = Lease{Term: c.s.OursTerm, Revision: c.s.OursRevision, Nonce: c.s.OursNonce}
	c.s.Releasing, c.s.ReleasingLeft = true, true
	c.s.KeyFree, c.s.FreeRevision = false, 0
	c.emit(Effect{Kind: DoRelease, Lease: c.s.Lease, Left: true})
}

// retryLeftLater tries the release of a term left behind again after
// PollInterval.
func retryLeftLater(c *step) {
	c.s.Releasing, c.s.ReleasingLeft = false, false
	c.s.Lease = Lease{}
	c.s.LastError = "releasing a term of ours left under our session failed; retrying: " + c.in.Err
	c.s.LeftRetryAt = c.in.At.Add(c.t.PollInterval)
	c.arm(TimerRetryRelease, 0, c.t.PollInterval)
	// The release may have landed after all and the key been seen free
	// meanwhile: a campaign tick held back while it was in flight is not
	// repeated by the watch.
	campaignSoon(c)
}
