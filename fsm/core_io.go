package fsm

import "time"

// InputKind says what happened.
type InputKind uint8

// The inputs of the decision core: everything the election actor receives.
const (
	// InStart: the election actor started.
	InStart InputKind = iota + 1
	// InStoreOpened: the lease store is open (Err == "") or failed to open.
	InStoreOpened
	// InKey: the watch (or a backstop read) saw the key: Key.
	InKey
	// InAcquired: an acquisition answered: Seq, Outcome, Lease, SentAt.
	InAcquired
	// InRenewed: a renewal answered: Outcome, Lease (term and new
	// revision), SentAt.
	InRenewed
	// InReleased: a release answered: Outcome, Lease.Term.
	InReleased
	// InTick: a timer fired: Timer, Term. A parked heartbeat
	// (DoParkHeartbeat) ticks as its timer would.
	InTick
	// InConnection: the connection changed: Conn.
	InConnection
	// InHealth: a health check finished: Failures in a row (0 when healthy).
	InHealth
	// InChildFailed: a child gave up: Child.
	InChildFailed
	// InResign: the user asked the leader to step down, handing the lease
	// to Successor (when named; SuccessorLive says whether it is a live
	// candidate) or to the next in the order of succession.
	InResign
	// InStop: the election was asked to end; KeepLease leaves the lease
	// to expire, Forced says the actor is going away now and cannot wait.
	InStop
	// InCandidates: the registry of candidates changed: Candidates.
	InCandidates
	// InConfirmed: the read-back of a won claim answered: Seq, Outcome
	// (WriteOK when the key still holds the claim, WriteConflict when it
	// does not), Lease (term and revision), Stored.
	InConfirmed
	// InWorkStopped: the leader's work of the term Term has stopped (the
	// parent's answer to a Demoted, when Timing.AwaitWorkStopped).
	InWorkStopped
	// InRead: a read of the key from the stream leader answered: Seq (the
	// DoRead's), Result (WriteOK when it answered, Key.Free when no lease
	// is there), Key.
	InRead
)

// lastInput is the last input kind: every kind up to it needs a total row.
const lastInput = InRead

var inputNames = [...]string{"", "start", "store_opened", "key", "acquired", "renewed", "released", "tick", "connection", "health", "child_failed", "resign", "stop", "candidates", "confirmed", "work_stopped", "read"}

// String names the kind.
func (k InputKind) String() string {
	if int(k) < len(inputNames) {
		return inputNames[k]
	}
	return "unknown"
}

// WriteResult is how a write to the store answered.
type WriteResult uint8

// Write results.
const (
	// WriteOK: the write was acknowledged.
	WriteOK WriteResult = iota + 1
	// WriteConflict: the key was not at the expected revision (a lost race for a
	// create, someone else's key for a renewal).
	WriteConflict
	// WriteFailed: the write failed and certainly did not happen (transient).
	WriteFailed
	// WriteUnknown: no reply came; the write may have happened.
	WriteUnknown
	// WritePermanent: the write can never succeed (permissions, bad input).
	WritePermanent
)

// Timer names a timer of the election.
type Timer uint8

// The election's timers.
const (
	// TimerCampaign: the next acquisition is due.
	TimerCampaign Timer = iota + 1
	// TimerHeartbeat: the next renewal is due.
	TimerHeartbeat
	// TimerDeadline: the leader's self-demotion deadline.
	TimerDeadline
	// TimerGrace: the leader's disconnect grace ended.
	TimerGrace
	// TimerOpen: retry opening the store.
	TimerOpen
	// TimerRespawn: restart the children that gave up.
	TimerRespawn
	// TimerStop: the stop waited long enough for replies.
	TimerStop
	// TimerRetryRelease: release again a term of ours left behind whose
	// last release failed.
	TimerRetryRelease
	// TimerWorkStop: the wait for the ended term's work to stop is over.
	TimerWorkStop
	// TimerClaimSettled: the expiry marker of the offer our last claim
	// wrote over can no longer come (see ElectionState.ClaimSettles).
	TimerClaimSettled
)

// LastTimer is the last timer: timers are numbered 1 to LastTimer.
const LastTimer = TimerClaimSettled

var timerNames = [...]string{"", "campaign", "heartbeat", "deadline", "grace", "open", "respawn", "stop", "retry_release", "work_stop", "claim_settled"}

// String names the timer.
func (t Timer) String() string {
	if int(t) < len(timerNames) {
		return timerNames[t]
	}
	return "unknown"
}

// ConnState is a change of the NATS connection.
type ConnState uint8

// Connection changes.
const (
	// ConnLost: the connection dropped; the client tries to reconnect.
	ConnLost ConnState = iota + 1
	// ConnBack: the connection is back after a loss.
	ConnBack
	// ConnClosed: the connection is closed for good.
	ConnClosed
)

// KeyView is what a read or the watch saw in the role's key.
type KeyView struct {
	// Free is true when the key was deleted, expired or not found.
	Free bool
	// Revision is the revision of the change (0 when a read found nothing).
	Revision uint64
	// Holder is the holder seen when the key is not free.
	Holder Holder
	// Ours is true when the key holds a lease of this candidate under the
	// session its own store keeps alive. Nobody else may take such a key
	// while the session lives, so when the candidate leads no term it is
	// a term it lost track of (a release that failed, an acquisition whose
	// answer was lost), and the candidate may claim it at Revision. A term
	// of ours on offer is not Ours: its successor may take it.
	Ours bool
	// Expiring is true when the message at Revision carries a short TTL of
	// its own (an offer): a write over it may be erased by its expiry
	// marker, so winning over it must be confirmed.
	Expiring bool
	// Written is when the server stored the message at Revision, on the
	// server's wall clock (set with Expiring): the offer's TTL runs from it.
	Written time.Time
	// Session and SessionEnd are set when the key holds a lease whose
	// session has ended (Free is then true): the session key that kept it,
	// and the revision of that key's last message, its end (0 when no
	// message of it is left). A takeover expects both, and only a read or
	// the watch that saw the end (a marker, or nothing) sets them.
	Session    string
	SessionEnd uint64
}

// Input is one thing that happened to an election, with the time it was
// handled. Only the fields its Kind names are set.
type Input struct {
	Kind InputKind
	// At is the time on the candidate's clock when the input is handled.
	At time.Time

	Key       KeyView
	Seq       uint64
	Result    WriteResult
	Lease     Lease
	SentAt    time.Time
	Timer     Timer
	Term      uint64
	Conn      ConnState
	Failures  int
	Child     Child
	Err       string
	Permanent bool
	KeepLease bool
	Forced    bool
	// Successor and SuccessorLive come with InResign.
	Successor     string
	SuccessorLive bool
	// Stored comes with InConfirmed: when the server stored the claim, on
	// its wall clock, as read back from the stream leader.
	Stored time.Time
	// Candidates comes with InCandidates: the live candidates in the order
	// of succession (priority, highest first, then the longest registered).
	Candidates []Ranked
	// SessionProof comes with every input while a session keeps the
	// lease we lead: when the newest write proving that session was sent,
	// on the candidate's clock, as the store last published it (zero when
	// that session is not the store's live one). It proves the lease as a
	// renewal sent then would (see core_park.go).
	SessionProof time.Time
}

// EffectKind says what to do.
type EffectKind uint8

// The effects of the decision core: everything the election actor does.
const (
	// DoOpenStore: open the lease store.
	DoOpenStore EffectKind = iota + 1
	// DoStartChildren: start the children named in Child.
	DoStartChildren
	// DoAcquire: acquire the key as By says: create it, write it over
	// revision Over (a delete or expiry marker, an offer to us, or a term
	// of ours under our live session), or take over the lease at Over
	// whose session Session ended at SessionEnd; each is one write the
	// server checks. Answer with InAcquired carrying Seq.
	DoAcquire
	// DoRenew: renew Lease at Lease.Revision; answer with InRenewed.
	DoRenew
	// DoRelease: delete the key at Lease.Revision; answer with InReleased.
	DoRelease
	// DoArmTimer: (re)arm Timer for Term to fire After from now.
	DoArmTimer
	// DoCancelTimer: cancel Timer.
	DoCancelTimer
	// DoPromoted: announce that this candidate leads Lease's term.
	DoPromoted
	// DoDemoted: announce that the term of Lease ended for Reason.
	DoDemoted
	// DoLeaderChanged: announce the holder seen in the store changed to
	// Holder.
	DoLeaderChanged
	// DoMoved: the phase changed From -> To on Event (for logs and traces).
	DoMoved
	// DoAnswerResign: answer a Resign; Err is "" on success.
	DoAnswerResign
	// DoWarn: the election cannot make progress; Err says why.
	DoWarn
	// DoFail: the election failed for good; Err says why.
	DoFail
	// DoFinish: the election has ended; stop the actor. A Lease with a
	// term is one of ours whose release did not finish: hand it to the
	// store to release while its session lives.
	DoFinish
	// DoOffer: offer Lease to Successor: rewrite the key at Lease.Revision
	// with the same holder, nonce and term, marked as offered, under a
	// short TTL; answer with InReleased.
	DoOffer
	// DoConfirm: read the key back from the stream leader: whether it still
	// holds the won claim at Lease.Revision, and when the server stored it;
	// answer with InConfirmed carrying Seq.
	DoConfirm
	// DoRead: read what the key holds from the stream leader (which
	// decided the last revision check, so its copy shows what beat it);
	// answer with InRead carrying Seq.
	DoRead
	// DoParkHeartbeat: tick the heartbeat (TimerHeartbeat, for Term) when
	// the newest proof of the session that keeps the lease is older than
	// After, or that session is no longer the store's live one, rather
	// than after a time. Arming or cancelling the heartbeat replaces it.
	DoParkHeartbeat
)

var effectNames = [...]string{"", "open_store", "start_children", "acquire", "renew", "release", "arm_timer", "cancel_timer", "promoted", "demoted", "leader_changed", "moved", "answer_resign", "warn", "fail", "finish", "offer", "confirm", "read", "park_heartbeat"}

// String names the kind.
func (k EffectKind) String() string {
	if int(k) < len(effectNames) {
		return effectNames[k]
	}
	return "unknown"
}

// Effect is one thing the election actor must do. Only the fields its Kind
// names are set.
type Effect struct {
	Kind   EffectKind
	Seq    uint64
	Lease  Lease
	Timer  Timer
	Term   uint64
	After  time.Duration
	Reason Reason
	Holder Holder
	Child  Child
	From   State
	To     State
	Event  Event
	Err    string
	// By is how a DoAcquire writes; Over is the revision it expects the
	// key at (0 with ByCreate), and Session and SessionEnd the ended
	// session a ByTakeOver expects (KeyView's).
	By         AcquireBy
	Over       uint64
	Session    string
	SessionEnd uint64
	// Successor is who a DoOffer offers the lease to.
	Successor string
	// Left marks a DoRelease of a term of ours that we no longer lead,
	// left under our own live session (ElectionState.OursRevision).
	Left bool
}
