package fsm

import "time"

// Succession in the decision core: who takes a freed lease first, and how a
// leader hands its lease over. The order itself (priority, then the longest
// registered) comes from the candidate registry as Input.Candidates; the
// core keeps its first few names, and decides whether the first other than
// us outranks us.

// OrderLength is how many names of the order of succession the core keeps:
// a successor is the first name other than one (the leader or the holder
// that left), so two would do; a few more keep the state stable while
// candidates come and go at the end of a long order.
const OrderLength = 4

// ResignNoSuccessor answers a Resign whose named successor is not a live
// candidate (or is us).
const ResignNoSuccessor = "no_successor"

// Ranked is a live candidate as the registry orders them.
type Ranked struct {
	// ID is the candidate's InstanceID.
	ID string
	// Priority is the candidate's priority; higher comes first.
	Priority int
}

// Order is the first live candidates in the order of succession, by
// InstanceID; the names past the last candidate are "".
type Order [OrderLength]string

// orderOf keeps the first OrderLength names of candidates.
func orderOf(candidates []Ranked) Order {
	var o Order
	for i, c := range candidates[:min(len(candidates), OrderLength)] {
		o[i] = c.ID
	}
	return o
}

// First returns the first name of o other than skip, "" if none.
func (o Order) First(skip string) string {
	for _, name := range o {
		if name != "" && name != skip {
			return name
		}
	}
	return ""
}

// outranks reports whether the first candidate other than us has a higher
// priority than ours.
func outranks(candidates []Ranked, t Timing) bool {
	for _, c := range candidates {
		if c.ID != t.InstanceID {
			return c.Priority > t.Priority
		}
	}
	return false
}

// successor is who a leader resigning on in hands the lease to: the named
// successor, else the next in the order of succession ("" when none).
func (c *step) successor() string {
	if c.in.Successor != "" {
		return c.in.Successor
	}
	return c.s.Order.First(c.t.InstanceID)
}

// succession is how long after the key was freed this candidate campaigns:
// at once when it is first in the order (the holder that left aside),
// after StandBy and the herd jitter when another comes first, and after the
// jitter alone when no order is known.
func (c *step) succession() time.Duration {
	switch c.s.Order.First(c.s.Departed) {
	case "":
		return c.jitter()
	case c.t.InstanceID:
		return 0
	default:
		return c.t.StandBy + c.jitter()
	}
}

// offeredToUs: the key holds a lease its holder offers to us.
func offeredToUs(c *step) bool {
	h := c.in.Key.Holder
	return !c.in.Key.Free && !h.Foreign && h.OfferedTo == c.t.InstanceID && c.in.Key.Revision != 0
}

// mayClaim: nothing holds the candidate back from claiming an offer. The
// hold-off and the breaker do not apply: the offer was made to us by name.
func mayClaim(c *step) bool {
	return c.s.Healthy && c.s.Failed == 0 && c.s.Attempt == 0 && c.s.Lease.Term == 0 && !c.s.Releasing && !c.s.ReleaseDue
}

// namedNotLive: the Resign names a successor that is not a live candidate,
// or names us.
func namedNotLive(c *step) bool {
	return c.in.Successor != "" && (!c.in.SuccessorLive || c.in.Successor == c.t.InstanceID)
}

// hasSuccessor: the Resign names a live successor, or the order of
// succession has one.
func hasSuccessor(c *step) bool {
	return c.in.Successor != "" || c.s.Order.First(c.t.InstanceID) != ""
}

// outranked: the leader prefers a live candidate of a higher priority.
func outranked(c *step) bool {
	return c.t.PreferredLeader && c.s.Outranked && c.s.Order.First(c.t.InstanceID) != ""
}

// candidatesThen records the order of succession and runs the rest.
func candidatesThen(rest ...action) action {
	return func(c *step) {
		c.s.Order, c.s.Outranked = orderOf(c.in.Candidates), outranks(c.in.Candidates, c.t)
		for _, a := range rest {
			a(c)
		}
	}
}

// claim takes the lease offered to us: a write checked against the offer's
// revision. The offer's TTL is short, so its acknowledgement alone proves
// nothing (see ElectionState.Claiming): a won claim is read back before we
// lead (confirmClaim).
func claim(c *step) {
	c.cancel(TimerCampaign)
	startAcquisition(c, Effect{Kind: DoAcquire, By: ByWriteOver, Over: c.in.Key.Revision})
	c.startClaim(c.in.Key.Written)
}

// handOff ends the term and offers the lease to the successor, answering
// the Resign once the offer is written; then holds off campaigning.
func handOff(c *step) {
	c.s.ResignWaiting = true
	c.s.OfferTo = c.successor()
	c.s.HoldOffUntil = c.in.At.Add(c.t.ResignHoldOff)
	c.endTerm(true)
	c.arm(TimerCampaign, 0, c.t.ResignHoldOff)
}

// yieldLease ends the term and offers the lease to the candidate of a
// higher priority that outranks us.
func yieldLease(c *step) {
	c.s.OfferTo = c.s.Order.First(c.t.InstanceID)
	c.s.HoldOffUntil = c.in.At.Add(c.t.ResignHoldOff)
	c.endTerm(true)
	c.arm(TimerCampaign, 0, c.t.ResignHoldOff)
}

// offerFailed: the answer to our offer says it was not written, or may not
// have been.
func offerFailed(c *step) bool {
	return c.s.OfferTo != "" && c.in.Result != WriteOK && c.in.Result != WriteConflict
}

// releaseInstead gives the lease back with a plain release when the offer
// failed: a successor then takes the freed key in the order of succession.
// If the offer was applied after all, the release deletes it (the store
// finds the same holder, nonce and term at the newer revision).
func releaseInstead(c *step) {
	c.s.OfferTo = ""
	c.emit(Effect{Kind: DoRelease, Lease: c.s.Lease})
}
