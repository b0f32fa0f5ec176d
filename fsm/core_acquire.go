package fsm

// How an acquisition writes the key, and what follows a write over a
// revision that the server refused. The store makes each write as asked
// and decides nothing: it neither picks the write nor falls back to
// another one.

// AcquireBy is the write a DoAcquire makes.
type AcquireBy uint8

// The writes of an acquisition.
const (
	// ByCreate: create the key; refused when it holds anything but a
	// marker (the store's create writes over a marker itself).
	ByCreate AcquireBy = iota + 1
	// ByWriteOver: write the key over revision Over, checked by the server
	// against that revision.
	ByWriteOver
	// ByTakeOver: take over the lease at Over whose session ended at
	// SessionEnd, in one batch the server checks against both.
	ByTakeOver
)

var acquireByNames = [...]string{"", "create", "write_over", "take_over"}

// String names the write.
func (b AcquireBy) String() string {
	if int(b) < len(acquireByNames) {
		return acquireByNames[b]
	}
	return "unknown"
}

// acquireWrite is one row of the choice of write: when the key, as last seen
// free, held what holds says, an acquisition writes by.
type acquireWrite struct {
	when  string
	holds func(*ElectionState) bool
	by    AcquireBy
}

// acquireWrites are the rows of the choice, tried in order; the last always
// holds. A key counts as free (ElectionState.KeyFree) only when it held one
// of these, or a term of ours we may claim back.
var acquireWrites = [...]acquireWrite{
	{when: "no message (the key was never written, or its marker expired)", holds: func(s *ElectionState) bool { return s.FreeRevision == 0 }, by: ByCreate},
	{when: "a lease whose session ended", holds: func(s *ElectionState) bool { return s.FreeSession != "" }, by: ByTakeOver},
	{when: "a marker, an offer to us, or a term of ours under our live session", holds: func(*ElectionState) bool { return true }, by: ByWriteOver},
}

// acquireBy is the write an acquisition makes now.
func acquireBy(s *ElectionState) AcquireBy {
	for _, w := range acquireWrites {
		if w.holds(s) {
			return w.by
		}
	}
	return ByCreate
}

// overRevision: the refused acquisition was a write over a revision.
func overRevision(c *step) bool { return c.s.AttemptBy == ByWriteOver || c.s.AttemptBy == ByTakeOver }

// lostRaceReadBack follows a refused write over a revision: the key moved
// on, or what it held there changed without a message the watch reports
// (a marker that expired, a session whose end moved when its own marker
// expired). It reads the key from the stream leader; the next acquisition
// chooses its write from what the read shows.
func lostRaceReadBack(c *step) {
	lostRace(c)
	c.s.Reads++
	c.s.KeyRead = c.s.Reads
	c.emit(Effect{Kind: DoRead, Seq: c.s.KeyRead})
}

// keyReadOfOurs matches the answer to the read-back of a refused
// acquisition.
func keyReadOfOurs(c *step) bool { return c.s.KeyRead != 0 && c.in.Seq == c.s.KeyRead }

// keyReadBack takes the read as what the key holds, through the rows of
// InKey, when it is no older than what the watch showed: a read is a hint
// like a watch event, but it may answer after the watch reported something
// newer. A read that found no message at all is newer than a marker the
// key was last seen free at (the marker expired), and is ignored when the
// watch has shown a holder since.
func keyReadBack(c *step) {
	c.s.KeyRead = 0
	k := c.in.Key
	if c.in.Result != WriteOK || !readNotOlder(&c.s, k) {
		return
	}
	c.in = Input{Kind: InKey, At: c.in.At, Key: k}
	c.rows.apply(c, InKey)
}

// readNotOlder: the read's view of the key is no older than the last one
// the core took.
func readNotOlder(s *ElectionState, k KeyView) bool {
	if k.Free && k.Revision == 0 {
		return s.KeyFree
	}
	return k.Revision >= max(s.Observed.Revision, s.FreeRevision)
}

// readRepeatsRefused: the read-back shows the key free exactly as the
// refused write over a revision expected it, at the same revision (and,
// for a takeover, with the same session end). It tells nothing the refusal
// did not contradict: it came from a server whose copy lags the one that
// refused (a stream leader cut off from its peers answers so until it
// steps down). Taken as news, it would start the same write at once, to
// be refused again, as fast as the two servers answer.
func readRepeatsRefused(c *step) bool {
	k, s := c.in.Key, &c.s
	return c.in.Result == WriteOK && s.KeyFree && k.Free && k.Revision != 0 && k.Revision == s.FreeRevision &&
		k.Session == s.FreeSession && k.SessionEnd == s.FreeSessionEnd
}

// readBackNoNews closes a read-back that told nothing new: the retry waits
// for the campaign timer lostRace armed, a poll away.
func readBackNoNews(c *step) { c.s.KeyRead = 0 }
