package fsm

import "time"

// The session keeper's decisions. In session mode a store keeps one session
// key alive for every lease it holds (see transport's session). What to do
// with that key is decided here, by rows run by the same engine as the
// election's (session_rows.go): when to renew it, when a renewal proves it,
// what a refused renewal means, when to give a session up and open the
// next, and what to do with the leases of elections that stopped without
// releasing them. Transport's session and the simulation's both run these
// rows and carry out their effects; neither decides anything of its own.

// The session keeper's phases.
const (
	// SessionNone: no session is live; the next one opens when asked for.
	SessionNone State = "none"
	// SessionOpening: a session key's create is in flight.
	SessionOpening State = "opening"
	// SessionLive: a session key lives, and the keeper renews it.
	SessionLive State = "live"
	// SessionClosed: the store closed; the key is left to expire.
	SessionClosed State = "closed"
)

// The session keeper's events.
const (
	// EvSessionOpen: a session key's create is sent.
	EvSessionOpen Event = "open"
	// EvSessionOpened: the create was acknowledged.
	EvSessionOpened Event = "opened"
	// EvSessionOpenFailed: the create failed.
	EvSessionOpenFailed Event = "open_failed"
	// EvSessionEnded: the live session ended or was given up, and the next
	// one's create is sent at once.
	EvSessionEnded Event = "ended"
	// EvSessionClose: the store closed.
	EvSessionClose Event = "close"
)

// SessionKeeper is the session keeper's table: its phases, and the events
// that move it between them.
func SessionKeeper() Table {
	n, o, l, z := SessionNone, SessionOpening, SessionLive, SessionClosed
	moves := []Rule{
		move(n, EvSessionOpen, o, "a live session is needed: create its key"),
		move(o, EvSessionOpened, l, "the key was created: renew it from now on"),
		move(o, EvSessionOpenFailed, n, "the create failed: the next need opens again"),
		move(l, EvSessionEnded, o, "the session ended or was given up: open the next at once"),
		move(n, EvSessionClose, z, "the store closed"),
		move(o, EvSessionClose, z, "the store closed"),
		move(l, EvSessionClose, z, "the store closed: the key is left to expire"),
	}
	t := Table{
		Name:    "session",
		Initial: n,
		States:  []State{n, o, l, z},
		Events:  []Event{EvSessionOpen, EvSessionOpened, EvSessionOpenFailed, EvSessionEnded, EvSessionClose},
	}
	t.Rules = withRefusals(t.States, t.Events, moves, "no row of the session keeper fires this event in this phase")
	return t
}

// SessionTiming is what the session keeper's rows are given: the store's
// session options.
type SessionTiming struct {
	// Renew is the leases' renewal interval: a proof younger than Renew/2
	// is handed out without a write, and the keepalive writes when none was
	// sent for Renew/2.
	Renew time.Duration
	// ProofWindow bounds what proves the session: a renewal proves it only
	// if answered within ProofWindow of the newest proof, and a session
	// unproven for that long is given up (transport.SessionOptions).
	ProofWindow time.Duration
}

// SessionInputKind is the kind of an input of the session keeper.
type SessionInputKind uint8

// The session keeper's inputs.
const (
	// SessInProve: a caller needs proof of the session Key ("" for any live
	// session, which then opens if none lives): an acquisition binds to it,
	// a renewal of a lease it keeps proves it.
	SessInProve SessionInputKind = iota + 1
	// SessInOpened: the create of Key answered: Result and the key's
	// Revision.
	SessInOpened
	// SessInRenewed: a renewal of Key answered: Result and the new
	// Revision.
	SessInRenewed
	// SessInRead: the read of Key from the stream leader, after a refused
	// renewal, answered: Result, and whether the key still holds a value
	// (Alive) at Revision.
	SessInRead
	// SessInTick: the keepalive's timer.
	SessInTick
	// SessInOrphanReleased: the release of an orphan (a lease of this
	// session whose election stopped without releasing it) answered.
	SessInOrphanReleased
	// SessInOrphanRead: the read of an orphan's key after its release was
	// refused answered: Result, and whether the key holds the same lease
	// (Alive) at Revision.
	SessInOrphanRead
	// SessInClose: the store closes.
	SessInClose
)

const lastSessionInput = SessInClose

var sessionInputNames = [...]string{"", "prove", "opened", "renewed", "read", "tick", "orphan_released", "orphan_read", "close"}

// String names the input kind.
func (k SessionInputKind) String() string {
	if int(k) < len(sessionInputNames) {
		return sessionInputNames[k]
	}
	return "unknown"
}

// SessionInput is one input of the session keeper. At is the host's clock
// when the input is decided; Err describes a Result other than WriteOK.
type SessionInput struct {
	Kind     SessionInputKind
	At       time.Time
	Key      string
	Result   WriteResult
	Err      string
	Revision uint64
	Alive    bool
	// Orphan is the orphan a SessInOrphan input is about.
	Orphan Orphan
}

// Orphan is a lease of the live session whose election stopped without
// releasing it: nobody else may take its key while the session lives, so
// the keeper releases it.
type Orphan struct {
	Role  string
	Lease Lease
}

// SessionEffectKind is the kind of an effect of the session keeper.
type SessionEffectKind uint8

// The session keeper's effects, carried out by its host in order.
const (
	// SessDoOpen: create a new session key (the host names it).
	SessDoOpen SessionEffectKind = iota + 1
	// SessDoRenew: rewrite Key if it is still at Revision, with its TTL.
	SessDoRenew
	// SessDoRead: read Key from the stream leader.
	SessDoRead
	// SessDoPublish: the live session and its proof changed: publish Key
	// and Proof ("" and zero: none lives) for readers without the lock.
	SessDoPublish
	// SessDoWait: the caller of this input waits for the next SessDoAnswer.
	SessDoWait
	// SessDoAnswer: answer the caller of this input, unless it waits, and
	// every waiting caller: Result, the session Key and its Proof (when
	// the write that proves it was sent), and Err.
	SessDoAnswer
	// SessDoEnded: the live session Key ended; Abandoned says it was given
	// up for want of proof rather than let go by the server.
	SessDoEnded
	// SessDoReleaseOrphans: release the orphans of session Key, unless a
	// release of them runs; orphans of other sessions need none.
	SessDoReleaseOrphans
	// SessDoReleaseOrphan: release Orphan at its lease's revision.
	SessDoReleaseOrphan
	// SessDoReadOrphan: read Orphan's key from the stream leader.
	SessDoReadOrphan
	// SessDoForgetOrphan: Orphan needs no release any more.
	SessDoForgetOrphan
	// SessDoStop: stop the keepalive and wait for the writes in flight.
	SessDoStop
)

var sessionEffectNames = [...]string{"", "open", "renew", "read", "publish", "wait", "answer", "ended", "release_orphans", "release_orphan", "read_orphan", "forget_orphan", "stop"}

// String names the effect kind.
func (k SessionEffectKind) String() string {
	if int(k) < len(sessionEffectNames) {
		return sessionEffectNames[k]
	}
	return "unknown"
}

// SessionEffect is one effect of the session keeper.
type SessionEffect struct {
	Kind      SessionEffectKind
	Key       string
	Revision  uint64
	Proof     time.Time
	Result    WriteResult
	Err       string
	Abandoned bool
	Orphan    Orphan
}

// SessionState is the session keeper's state. The zero value, with Phase
// SessionNone, has no session.
type SessionState struct {
	Phase State
	// Key is the live session's key, Revision the revision of its newest
	// acknowledged write, Proven when the newest write counted as proof was
	// sent and LastSent when the newest write was sent.
	Key      string
	Revision uint64
	Proven   time.Time
	LastSent time.Time
	// SentAt is when the write in flight (a create, or a renewal first
	// sent) was sent: what it proves, if it does. Renewing is set while a
	// renewal of Key is in flight, and ReadBack once it was refused and
	// read back, so it is tried again only once.
	SentAt   time.Time
	Renewing bool
	ReadBack bool
}

// NewSessionState returns the keeper's state before any session opened.
func NewSessionState() SessionState { return SessionState{Phase: SessionNone} }
