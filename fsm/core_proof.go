package fsm

import "time"

// What proves a lease, against the server as it behaves. When a message's
// TTL runs out while it is still the last of its key, the server decides an
// expiry marker and stores it after the writes it is already handling: a
// write that expected the expired message is applied and acknowledged, then
// the marker's rollup erases it. So an acknowledgement proves a lease only
// when the write was applied before the message it replaced could expire:
//
//   - a renewal replaces our own newest write, sent no earlier than the
//     lease's LastRenewal; answered before the lease's deadline it was
//     applied before that write could expire (RenewDeadline ends before
//     any server can expire it, drift, server clock skew and margin allowed
//     for), so no marker follows it (answeredInTime);
//   - a claim replaces an offer, whose TTL is short and whose age we cannot
//     know from our own clock. The server's stamps tell it: the claim is
//     read back from the stream leader (DoConfirm), and it leads only if
//     the key still holds it and the server stamped it early enough that,
//     even applied as late as its round trip allows, it was applied before
//     the offer's TTL, counted from the offer's stamp, could run out
//     (claimAppliedInTime). A second write would not do: one server can
//     take it before the marker it has already decided.

//
// A claim that is not proven is left alone, and so is anything of ours
// written over it, until the offer's expiry marker can no longer come
// (ElectionState.ClaimSettles): the offer was seen before the claim was
// sent, so its TTL, stretched by the server clock skew, the margin and our
// drift, runs out before ClaimSentAt plus that much on our clock. After
// that, a term of ours the key still shows stays.

// claimMargin is kept between when a claim may have been applied and when
// the offer it replaced may expire, for the time the expiry takes to decide
// on the marker once the offer's TTL ran out.
const claimMargin = 50 * time.Millisecond

// startClaim marks the attempt just sent as a claim of an offer the
// server stored at written, and arms the timer for when that offer's expiry
// marker can no longer come.
func (c *step) startClaim(written time.Time) {
	c.s.Claiming, c.s.OfferWritten = true, written
	settle := time.Duration(float64(c.t.OfferTTL+c.t.MaxServerClockSkew+claimMargin) * (1 + c.t.MaxClockDrift))
	c.s.ClaimSettles = c.in.At.Add(settle)
	c.arm(TimerClaimSettled, 0, settle)
}

// claimSettled: no expiry marker of an offer we claimed can still erase
// what the key holds of ours.
func claimSettled(c *step) bool { return !c.in.At.Before(c.s.ClaimSettles) }

// claiming: the attempt in flight claims an offer.
func claiming(c *step) bool { return c.s.Claiming }

// answeredInTime: the answer was handled before the lease's deadline.
func answeredInTime(c *step) bool {
	return c.in.At.Before(c.s.LastRenewal.Add(c.t.RenewDeadline))
}

// confirmOfOurs matches the answer to the read-back in flight.
func confirmOfOurs(c *step) bool {
	return c.s.Confirming.Term != 0 && c.s.Attempt != 0 && c.in.Seq == c.s.Attempt
}

// confirmedInTime: the read-back found the claim in time to lead (before
// the deadline counted from the claim's send), and the claim was applied
// before the offer could expire.
func confirmedInTime(c *step) bool {
	return c.in.At.Before(c.s.ClaimSentAt.Add(c.t.RenewDeadline)) && claimAppliedInTime(c)
}

// claimAppliedInTime: the server stamped the claim (Stored) when it took
// it, and applied it within the claim's round trip after that, measured on
// our clock and stretched by the drift; the offer expires no earlier than
// its own stamp plus OfferTTL, less the server clock skew. Both stamps are
// the servers' wall clocks, and the skew bounds how far apart they can be.
// Without both stamps nothing is proven.
func claimAppliedInTime(c *step) bool {
	if c.in.Stored.IsZero() || c.s.OfferWritten.IsZero() {
		return false
	}
	rtt := time.Duration(float64(c.s.ClaimAnswered.Sub(c.s.ClaimSentAt)) * (1 + c.t.MaxClockDrift))
	applied := c.in.Stored.Add(rtt + claimMargin)
	expires := c.s.OfferWritten.Add(c.t.OfferTTL - c.t.MaxServerClockSkew)
	return applied.Before(expires)
}

// claimProven: the read-back's stamp shows the claim applied before the
// offer could expire (whatever the deadline says).
func claimProven(c *step) bool { return claimAppliedInTime(c) }

// confirmClaim keeps the won claim's attempt in flight and reads it back.
func confirmClaim(c *step) {
	c.s.Claiming = false
	c.s.Confirming, c.s.ClaimSentAt, c.s.ClaimAnswered = c.in.Lease, c.in.SentAt, c.in.At
	c.emit(Effect{Kind: DoConfirm, Seq: c.s.Attempt, Lease: c.in.Lease})
}

// promoteConfirmed leads the confirmed claim; the deadline counts from the
// claim's send.
func promoteConfirmed(c *step) {
	c.s.ClaimSettles = time.Time{}
	c.lead(c.confirmed(), c.s.ClaimSentAt)
}

// releaseConfirmed hands back a proven claim we may not lead (too late,
// unhealthy, or stopping). An unproven one is left alone: its release, and
// a successor's write over the release, could be erased with it.
func releaseConfirmed(c *step) {
	c.s.ClaimSettles = time.Time{}
	c.releaseUnused(c.confirmed(), c.s.ClaimSentAt)
}

// confirmed is the claimed lease at the revision read back.
func (c *step) confirmed() Lease {
	l := c.s.Confirming
	l.Revision = c.in.Lease.Revision
	return l
}
