package fsm

// What proves a lease, against the server as it behaves. When a message's
// TTL runs out while it is still the last of its key, the stream leader
// decides an expiry marker and proposes it after the writes already in
// flight: a write that expected the expired message is applied and
// acknowledged, then the marker's rollup erases it. So an acknowledgement
// proves a lease only when the write cannot have been erased that way:
//
//   - a renewal replaces our own newest write, sent no earlier than the
//     lease's LastRenewal; answered before the lease's deadline it was
//     applied while that write was live (RenewDeadline ends before any
//     server can expire it, drift, server clock skew and margin allowed
//     for), so no marker follows it (answeredInTime);
//   - a claim replaces an offer, whose TTL is short and whose age we
//     cannot know; it proves nothing until a second revision-checked
//     write, expecting the claim, is acknowledged in time (confirmClaim).
//     That write replaces the claim, whose TTL is the lease's, so the
//     same bound covers it; and the offer's marker, if one was decided
//     before the claim was applied, was proposed before the claim's
//     acknowledgement and so before the confirmation: the server applies
//     it first and refuses the confirmation.

// claiming: the attempt in flight claims an offer.
func claiming(s *ElectionState, _ Input, _ Timing) bool { return s.Claiming }

// answeredInTime: the answer was handled before the lease's deadline.
func answeredInTime(s *ElectionState, in Input, t Timing) bool {
	return in.At.Before(s.LastRenewal.Add(t.RenewDeadline))
}

// confirmOfOurs matches the answer to the confirmation in flight.
func confirmOfOurs(s *ElectionState, in Input, _ Timing) bool {
	return s.Confirming.Term != 0 && s.Attempt != 0 && in.Seq == s.Attempt
}

// confirmedInTime: the confirmation was answered before the deadline of a
// term counted from the claim's send.
func confirmedInTime(s *ElectionState, in Input, t Timing) bool {
	return in.At.Before(s.ClaimSentAt.Add(t.RenewDeadline))
}

// confirmClaim keeps the won claim's attempt in flight and confirms it.
func confirmClaim(c *step) {
	c.s.Claiming = false
	c.s.Confirming, c.s.ClaimSentAt = c.in.Lease, c.in.SentAt
	c.emit(Effect{Kind: DoConfirm, Seq: c.s.Attempt, Lease: c.in.Lease})
}

// promoteConfirmed leads the confirmed claim at the confirmation's
// revision; the deadline counts from the claim's send.
func promoteConfirmed(c *step) { c.lead(c.confirmed(), c.s.ClaimSentAt) }

// releaseConfirmed hands back a confirmed claim we may not lead (too late,
// or stopping).
func releaseConfirmed(c *step) { c.releaseUnused(c.confirmed()) }

// confirmed is the claimed lease at the confirmation's revision.
func (c *step) confirmed() Lease {
	l := c.s.Confirming
	l.Revision = c.in.Lease.Revision
	return l
}
