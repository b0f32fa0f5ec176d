package transport

import "time"

// deferringWatches is how many watches of one key a hub needs before it
// defers: a change that wakes a few candidates costs less than the wait.
// Measured with the bench (bench/, 200 handovers a row, two runs each,
// candidates on 8 connections): at 10 candidates (1 or 2 watches of the
// key a hub) deferring every bystander's change moved the median from
// 1.4 to 2.5 ms, as the wake-ups that had overlapped the successor's
// round trips came 20 ms later, just as the next handover began; at 100
// (12 or 13 a hub) deferring from 8 watches moved it from 2.2 and 1.9 ms
// to 1.1 and 1.7 ms, and at 1,000 (125 a hub) from 15 to 3 ms.
const deferringWatches = 8

// DeferredDelivery is how long a watch may wait for a change that does not
// concern its candidate (see WatchAs). A handover among N candidates writes
// the key twice, the offer and the claim; the old holder and the successor
// hear both at once, the other N-2 hear the newest of them once, this long
// after the first. That keeps their N-2 wake-ups off the two cores while
// the successor's claim and its read-back make their round trips, which is
// where a handover among 1,000 candidates spent its time. It is far below
// any stand-by or TTL, the only clocks a change between two held leases
// can start for a bystander.
const DeferredDelivery = 20 * time.Millisecond

// changeConcerns reports whether the change of a key from prev to next (prev
// meaningful only when seen) must reach candidate's watch at once: it
// always does unless the key was held before and after, both times by
// others, and neither record offers the lease to candidate. A key that
// becomes free, or that stops being free, may start or end a campaign of
// anyone; a lease that moves away from a candidate ends its term; a lease
// offered to a candidate is its claim to make. A watch for no candidate
// hears everything at once.
func changeConcerns(candidate string, prev KeyEvent, seen bool, next KeyEvent) bool {
	return candidate == "" || !seen || !heldByOthers(candidate, prev) || !heldByOthers(candidate, next)
}

// heldByOthers: ev is a lease record neither held by nor offered to
// candidate.
func heldByOthers(candidate string, ev KeyEvent) bool {
	if ev.Kind != KeyPut || ev.Entry.Malformed != nil {
		return false
	}
	r := ev.Entry.Record
	return r.Holder != candidate && r.OfferedTo != candidate
}

// armFlush starts the wait for the deferred changes when some are held
// back and no wait is running. Called by run after each event it handles.
func (h *hub) armFlush() {
	if h.flush == nil && h.keys.holding() {
		h.flush = time.After(DeferredDelivery)
	}
}
