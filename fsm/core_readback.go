package fsm

// Reading a refused release back. A release (or an offer, our other way of
// releasing) is a write at the newest revision the core knows of; when the
// server refuses it, a renewal whose answer was lost (WriteUnknown, yet
// applied) may have moved the key on while the lease is still ours, and a
// key left so stays held for a TTL (or while our session lives). The core
// reads the key from the stream leader once per term and, if it still holds
// our lease, releases or offers it again at the revision read, under the
// same deadline as any release.

// mayReadBack: the refused write was the release or the offer of a term we
// led, not the release of a term left under our session (released at the
// revision the watch shows it at, and tried again while the watch shows it
// ours), and this term has not been read back yet.
func mayReadBack(c *step) bool {
	return !c.s.ReleasingLeft && c.s.ReadBackTerm != c.s.Lease.Term
}

// readingBack: the answer is the read-back of our refused release, and
// that release is still the one in flight (a stop may have settled it
// since).
func readingBack(c *step) bool {
	return c.s.ReadBack != 0 && c.in.Seq == c.s.ReadBack && c.s.Releasing && c.s.Lease.Term != 0 && c.s.Lease.Term == c.s.ReadBackTerm
}

// readBackOurs: the read found our lease (same holder, term and nonce) at a
// later revision than the one the release expected.
func readBackOurs(c *step) bool {
	k, h := c.in.Key, c.in.Key.Holder
	return c.in.Result == WriteOK && !k.Free && !h.Foreign && h.Name == c.t.InstanceID &&
		h.Term == c.s.Lease.Term && h.Nonce == c.s.Lease.Nonce && k.Revision > c.s.Lease.Revision
}

// readBack reads the key from the stream leader; the release stays in
// flight until the read is settled.
func readBack(c *step) {
	c.s.Reads++
	c.s.ReadBack, c.s.ReadBackTerm = c.s.Reads, c.s.Lease.Term
	c.emit(Effect{Kind: DoRead, Seq: c.s.ReadBack, Lease: c.s.Lease})
}

// releaseAtRead releases (or offers) our lease again at the revision read,
// unless its deadline has passed meanwhile (see step.release).
func releaseAtRead(c *step) {
	c.s.ReadBack, c.s.Releasing = 0, false
	c.s.Lease.Revision = c.in.Key.Revision
	c.release()
}

// settleReadBack settles the refused release as the release's own answer
// would have been: refused when the read found the key moved on to another
// lease or none, failed as the read failed when it did. The rows of
// InReleased decide what that means in the phase.
func settleReadBack(c *step) {
	c.s.ReadBack = 0
	in := Input{Kind: InReleased, At: c.in.At, Lease: Lease{Term: c.s.Lease.Term}, Result: WriteConflict}
	if c.in.Result != WriteOK {
		in.Result, in.Err = c.in.Result, c.in.Err
	}
	c.in = in
	c.rows.apply(c, InReleased)
}
