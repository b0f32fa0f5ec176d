package fsm

// A parked leader. In session mode the store's session key keeps every
// lease it holds, and the session's keepalive proves them all with one
// write. A leader whose heartbeat finds its session proven within the last
// heartbeat parks: no heartbeat or deadline timer of its own stays armed,
// and its host ticks the heartbeat only when the session's newest proof
// grows older than RenewDeadline less one HeartbeatInterval, or the session
// is no longer the store's live one (DoParkHeartbeat). So a quiet process
// with N leaders wakes for none of them while its session is proven.
//
// Why the lease stays proven while parked: every input carries the
// session's newest proof (Input.SessionProof), which proves the lease as a
// renewal sent then would, and the state catches up with it before any row
// reads the deadline (catchUpSessionProof). The wake comes a heartbeat
// before the deadline counted from that proof, and the leader unparks then:
// its deadline timer is armed again from the newest proof, and it renews
// as any heartbeat would. A process paused past the deadline handles the
// wake late, as it would the deadline's own tick, and demotes at once
// ("heartbeat after the deadline passed"). Between inputs the deadline is
// LeaseDeadlineProven, which counts the session's proof too: what Status
// shows and what a user's IsLeader checks.

// catchUpSessionProof moves a leader's LastRenewal to the proof of its
// lease's session that the input carries, when newer: the session proved
// the lease then. A proof from our clock's future proves nothing.
func (c *step) catchUpSessionProof() {
	p := c.in.SessionProof
	if c.t.Sessions && c.s.Leading() && p.After(c.s.LastRenewal) && !p.After(c.in.At) {
		c.s.LastRenewal = p
	}
}

// provenBySession: a session keeps the lease, and its newest proof was
// sent within the last heartbeat: the renewal a call would make could only
// hand over this proof.
func provenBySession(c *step) bool {
	proof := c.in.SessionProof
	return c.t.Sessions && !proof.IsZero() && !proof.After(c.in.At) && c.in.At.Sub(proof) < c.t.HeartbeatInterval
}

// notParked: the leader's heartbeat does not wait on its session.
func notParked(c *step) bool { return !c.s.Parked }

// parkedAndOutranked: a parked leader's new order of succession ranks a
// live candidate above it; its heartbeat would hand the lease over, and
// none is armed.
func parkedAndOutranked(c *step) bool {
	return c.s.Parked && c.t.PreferredLeader && outranks(c.in.Candidates, c.t) &&
		orderOf(c.in.Candidates).First(c.t.InstanceID) != ""
}

// park renews the lease by its session's proof (the state caught up with
// it) and leaves its heartbeat to the session: no timer of the leader's
// stays armed.
func park(c *step) {
	c.s.Proving, c.s.Parked = false, true
	c.cancel(TimerDeadline)
	c.emit(Effect{Kind: DoParkHeartbeat, Term: c.s.Lease.Term, After: c.t.RenewDeadline - c.t.HeartbeatInterval})
}

// unpark arms the deadline again, counted from the newest proof, when the
// leader's heartbeat waited on its session: a renewal is about to start
// or the heartbeat is armed on a timer again.
func (c *step) unpark() {
	if !c.s.Parked {
		return
	}
	c.s.Parked = false
	c.arm(TimerDeadline, c.s.Lease.Term, c.s.LastRenewal.Add(c.t.RenewDeadline).Sub(c.in.At))
}

// beatNow ticks the heartbeat at once.
func beatNow(c *step) { c.arm(TimerHeartbeat, c.s.Lease.Term, 0) }

// rearmDeadline arms the deadline from the newest proof, which a
// session's proof moved on since it was armed.
func rearmDeadline(c *step) {
	c.arm(TimerDeadline, c.s.Lease.Term, c.s.LastRenewal.Add(c.t.RenewDeadline).Sub(c.in.At))
}
