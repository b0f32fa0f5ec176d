package fsm

// The ended term's work stops before the lease can pass. With
// Timing.AwaitWorkStopped, a term that ends with a release (a resign, a
// hand-off, a stop, an unhealthy leader) keeps its lease until the parent
// reports the term's work stopped; only then is the release or the offer
// written. A renewal that answers meanwhile only moves the revision the
// release will use. If the work does not report within a TTL, the release
// goes ahead without it: a lease with a TTL of its own has expired on the
// server by then and is only forgotten (step.release), but a session lease
// lives as long as our session does, and nobody else can free it.

// workOfOurs: the report or tick is for the term whose release waits.
func workOfOurs(c *step) bool {
	return c.s.AwaitingWork && c.in.Term == c.s.Lease.Term
}

// awaitingWork: a release waits for the work to stop.
func awaitingWork(c *step) bool { return c.s.AwaitingWork }

// workStoppedThen releases the ended term's lease (or offers it) now that
// its work has stopped, and runs the rest.
func workStoppedThen(rest ...action) action {
	return func(c *step) {
		c.s.AwaitingWork = false
		c.cancel(TimerWorkStop)
		c.release()
		c.campaignIfForgotten()
		for _, a := range rest {
			a(c)
		}
	}
}

// renewalWhileAwaiting settles a renewal that answered after the term
// ended: the release still to come uses the revision it left.
func renewalWhileAwaiting(c *step) {
	c.s.Renewing = false
	if c.in.Result == WriteOK {
		c.s.Lease.Revision = c.in.Lease.Revision
	}
}

// leaveLease gives up waiting for the work and releases the lease (or
// offers it) as the term's end asked: after a renewal still in flight has
// answered, as any release.
func leaveLease(c *step) {
	c.s.AwaitingWork = false
	c.s.LastError = "the leader's work did not report stopped within the TTL"
	c.release()
	c.campaignIfForgotten()
}

// campaignIfForgotten: a follower whose lease was only forgotten, not
// released (past its deadline: see step.release), campaigns again if the
// key looks free, as a release's answer would have made it
// (releasedThenCampaign): while it waited for its work, a campaign could
// not start, and nothing else wakes it.
func (c *step) campaignIfForgotten() {
	if !c.s.Releasing && !c.s.ReleaseDue && c.s.Phase == StateFollower {
		campaignSoon(c)
	}
}
