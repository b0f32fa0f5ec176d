package fsm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// world drives one decision core under virtual time: it delivers armed
// timers when they are due, answers the writes the core asks for, and checks
// the core's invariants after every step. It is a loose model of the store on
// purpose: replies, observations and conditions come in any order a real
// election could see, including stale and contradictory ones.
type world struct {
	tb   testing.TB
	rng  *rand.Rand
	t    Timing
	s    ElectionState
	now  time.Time
	rev  uint64  // the store's last revision
	log  []Input // the last inputs, for a failure's report
	hits map[int]int

	timers  map[Timer]armed
	pending []request

	leading   *Lease               // the term announced by Promoted and not yet by Demoted
	demoted   map[uint64]bool      // terms announced by Demoted
	demotedAt map[uint64]time.Time // when each was announced
	shown     map[uint64]Holder    // revision -> what the world showed there: a marker (zero Holder) or an offer
	newest    map[uint64]uint64    // term -> newest acknowledged revision of our lease
	proven    map[uint64]time.Time // term -> latest send time of an acknowledged write of it
	renewing  map[uint64]int       // term -> renewals in flight
	stopped   map[uint64]bool      // terms whose work the parent reported stopped
	stamped   map[uint64]time.Time // revision -> when the world's server stored it
	last      []Effect             // the effects of the last step
	acquired  []Effect             // every DoAcquire, in order
	finished  bool
	promoted  int
	lastInput Input
	resuming  bool // a paused process handles its first input before its timers

	// In session mode: the newest proof of the session that keeps each
	// term, as the store publishes it, and, while the term's heartbeat is
	// parked, when the session stops being proven (it never is again
	// after that until the heartbeat is armed on a timer).
	sessionProof map[uint64]time.Time
	quietFrom    map[uint64]time.Time
}

// phases are the election table's states.
var phases = Election().States

// armed is a timer the core armed.
type armed struct {
	at   time.Time
	term uint64
}

// request is a write the core asked for and the world has not answered.
type request struct {
	kind   EffectKind
	seq    uint64
	lease  Lease
	sentAt time.Time
}

// testTiming is a valid timing, as leadership derives it from a 10s TTL.
func testTiming(seed uint64) Timing {
	return Timing{
		InstanceID: "me",
		TTL:        10 * time.Second, RenewDeadline: 7 * time.Second, HeartbeatInterval: 2 * time.Second,
		DisconnectGrace: 3 * time.Second, PollInterval: 2 * time.Second, OpTimeout: 2 * time.Second,
		CampaignJitter: 25 * time.Millisecond, ResignHoldOff: time.Second,
		StandBy: 250 * time.Millisecond, PreferredLeader: seed%2 == 0,
		RetryInitial: 100 * time.Millisecond, RetryMax: 5 * time.Second,
		BreakerThreshold: 3, BreakerCooldown: 10 * time.Second, HealthFailureThreshold: 2,
		RespawnDelay: 10 * time.Second, Seed: seed,
		OfferTTL: time.Second, MaxServerClockSkew: 100 * time.Millisecond, MaxClockDrift: 0.05,
		Sessions: seed%4 >= 2,
	}
}

// newWorld starts a world whose core has not started.
func newWorld(tb testing.TB, seed uint64) *world {
	return &world{
		tb: tb, rng: rand.New(rand.NewPCG(seed, seed^0x5bd1e995)), t: testTiming(seed),
		s: NewElectionState(), now: time.Unix(1_700_000_000, 0), hits: map[int]int{},
		timers: map[Timer]armed{}, newest: map[uint64]uint64{}, proven: map[uint64]time.Time{}, renewing: map[uint64]int{},
		demoted: map[uint64]bool{}, demotedAt: map[uint64]time.Time{}, shown: map[uint64]Holder{}, stopped: map[uint64]bool{}, stamped: map[uint64]time.Time{},
		sessionProof: map[uint64]time.Time{}, quietFrom: map[uint64]time.Time{},
	}
}

// fail reports a broken invariant with the inputs that led to it.
func (w *world) fail(format string, args ...any) {
	w.tb.Helper()
	report := ""
	for _, in := range w.log {
		report += fmt.Sprintf("  %s %+v\n", in.Kind, in)
	}
	w.tb.Fatalf("%s\nstate: %+v\nlast inputs:\n%s", fmt.Sprintf(format, args...), w.s, report)
}

// feed steps the core with in at the current time and checks the result.
func (w *world) feed(in Input) {
	w.tb.Helper()
	in.At = w.now
	w.stampSessionProof(&in)
	w.lastInput = in
	if k := in.Key; (in.Kind == InKey || in.Kind == InRead && in.Seq == w.s.KeyRead) && k.Revision != 0 && (k.Free || k.Holder.OfferedTo != "" || k.Ours) {
		// A marker (zero holder), an offer, or a term of ours under our own
		// session: what the core may claim over.
		w.shown[k.Revision] = k.Holder
	}
	if len(w.log) == 25 {
		w.log = w.log[1:]
	}
	w.log = append(w.log, in)
	before := w.s
	next, effects, applied := stepRows(w.t, before, in)
	for _, i := range applied {
		if i >= 0 {
			w.hits[i]++
		}
	}
	w.s = next
	w.last = effects
	for _, e := range effects {
		w.carryOut(before, e)
	}
	w.checkState()
}

// carryOut applies one effect to the world and checks it.
func (w *world) carryOut(before ElectionState, e Effect) {
	w.tb.Helper()
	switch e.Kind {
	case DoArmTimer:
		w.timers[e.Timer] = armed{at: w.now.Add(e.After), term: e.Term}
		if e.Timer == TimerHeartbeat {
			delete(w.quietFrom, e.Term)
		}
	case DoCancelTimer:
		delete(w.timers, e.Timer)
	case DoParkHeartbeat:
		if !w.t.Sessions || !w.s.Leading() || e.Term != w.s.Lease.Term || w.s.Renewing {
			w.fail("heartbeat of term %d parked in %s (sessions %v, renewing %v)", e.Term, w.s.Phase, w.t.Sessions, w.s.Renewing)
		}
		if _, ok := w.timers[TimerDeadline]; ok {
			w.fail("heartbeat of term %d parked with its deadline timer armed", e.Term)
		}
		// The session stays proven for a while, then goes quiet; the
		// store wakes the heartbeat when its newest proof is After old.
		quiet := w.now.Add(time.Duration(w.rng.Int64N(int64(3 * w.t.RenewDeadline))))
		w.quietFrom[e.Term] = quiet
		w.timers[TimerHeartbeat] = armed{at: quiet.Add(e.After), term: e.Term}
	case DoAcquire:
		if before.Lease.Term != 0 || before.Phase == StateLeader {
			w.fail("acquire while holding term %d in %s", before.Lease.Term, before.Phase)
		}
		if h, ok := w.shown[e.Over]; e.Over != 0 && (!ok || h.OfferedTo != "" && h.OfferedTo != w.t.InstanceID && h.Name != w.t.InstanceID) {
			w.fail("acquire over revision %d, which the world showed as %+v (shown: %v)", e.Over, h, ok)
		}
		if e.By == ByCreate && e.Over != 0 || e.By == ByTakeOver && e.Session == "" || e.By == 0 {
			w.fail("acquire by %v over revision %d (session %q)", e.By, e.Over, e.Session)
		}
		w.acquired = append(w.acquired, e)
		w.pending = append(w.pending, request{kind: DoAcquire, seq: e.Seq, sentAt: w.now})
	case DoRenew:
		if w.s.Phase != StateLeader {
			w.fail("renew in %s", w.s.Phase)
		}
		w.renewing[e.Lease.Term]++
		w.pending = append(w.pending, request{kind: DoRenew, lease: e.Lease, sentAt: w.now})
	case DoRelease:
		if e.Left {
			// A term of ours left under our session: released at the
			// revision the world showed it at.
			if h, ok := w.shown[e.Lease.Revision]; !ok || h.Name != w.t.InstanceID || h.Term != e.Lease.Term {
				w.fail("release of a left term %d at revision %d, which the world showed as %+v (shown: %v)", e.Lease.Term, e.Lease.Revision, h, ok)
			}
			w.pending = append(w.pending, request{kind: DoRelease, lease: e.Lease, sentAt: w.now})
			break
		}
		w.checkWorkStopped(e)
		if e.Lease.Revision != w.newest[e.Lease.Term] {
			w.fail("release of term %d at revision %d, newest acknowledged is %d", e.Lease.Term, e.Lease.Revision, w.newest[e.Lease.Term])
		}
		if w.renewing[e.Lease.Term] > 0 && !w.lastInput.Forced && w.lastInput.Timer != TimerStop {
			w.fail("release of term %d while its renewal is in flight", e.Lease.Term)
		}
		w.pending = append(w.pending, request{kind: DoRelease, lease: e.Lease, sentAt: w.now})
	case DoRead:
		acquisition := e.Seq == w.s.KeyRead && e.Lease.Term == 0
		if !acquisition && (!w.s.Releasing || e.Lease.Term == 0 || e.Seq != w.s.ReadBack) {
			w.fail("read %d of term %d with no refused release or acquisition to read back (state %+v)", e.Seq, e.Lease.Term, w.s)
		}
		w.pending = append(w.pending, request{kind: DoRead, seq: e.Seq, lease: e.Lease, sentAt: w.now})
	case DoConfirm:
		if w.s.Phase != StateCandidate && w.s.Phase != StateStopping || e.Seq != w.s.Attempt || e.Lease.Term == 0 {
			w.fail("confirm of term %d (attempt %d) in %s, attempt in flight %d", e.Lease.Term, e.Seq, w.s.Phase, w.s.Attempt)
		}
		w.pending = append(w.pending, request{kind: DoConfirm, seq: e.Seq, lease: e.Lease, sentAt: w.now})
	case DoOffer:
		w.checkWorkStopped(e)
		if !w.demoted[e.Lease.Term] || (w.leading != nil && w.leading.Term == e.Lease.Term) {
			w.fail("offer of term %d before its Demoted", e.Lease.Term)
		}
		if e.Successor == "" || e.Successor == w.t.InstanceID {
			w.fail("offer of term %d to %q", e.Lease.Term, e.Successor)
		}
		if e.Lease.Revision != w.newest[e.Lease.Term] {
			w.fail("offer of term %d at revision %d, newest acknowledged is %d", e.Lease.Term, e.Lease.Revision, w.newest[e.Lease.Term])
		}
		if w.renewing[e.Lease.Term] > 0 {
			w.fail("offer of term %d while its renewal is in flight", e.Lease.Term)
		}
		w.pending = append(w.pending, request{kind: DoOffer, lease: e.Lease, sentAt: w.now})
	case DoPromoted:
		if w.leading != nil {
			w.fail("promoted to term %d while term %d was not demoted", e.Lease.Term, w.leading.Term)
		}
		l := e.Lease
		w.leading = &l
		w.promoted++
	case DoDemoted:
		if w.leading == nil || w.leading.Term != e.Lease.Term {
			w.fail("demoted from term %d, announced term is %v", e.Lease.Term, w.leading)
		}
		if e.Reason == "" {
			w.fail("demoted from term %d without a reason", e.Lease.Term)
		}
		w.leading = nil
		w.demoted[e.Lease.Term] = true
		w.demotedAt[e.Lease.Term] = w.now
	case DoFinish:
		w.finished = true
	}
}

// stampSessionProof stamps an input to a leader in session mode with the
// newest proof of its lease's session, as the hosts do: the world's truth
// from then on. While the term's heartbeat is parked the session was
// proven all along until it went quiet, as its keepalive proves it; else,
// half the time, it was proven again within about a heartbeat.
func (w *world) stampSessionProof(in *Input) {
	term := w.s.Lease.Term
	if !w.t.Sessions || !w.s.Leading() {
		return
	}
	p := w.sessionProof[term]
	quiet, parked := w.quietFrom[term]
	next := w.now.Add(-time.Duration(w.rng.Int64N(int64(w.t.HeartbeatInterval / 2))))
	switch {
	case !in.SessionProof.IsZero():
		next = in.SessionProof // the test's own
	case parked:
		if next.After(quiet) {
			next = quiet
		}
	case w.rng.IntN(2) == 0:
		next = w.now.Add(-time.Duration(w.rng.Int64N(int64(w.t.HeartbeatInterval * 5 / 4))))
	default:
		next = p
	}
	if next.After(p) && !next.After(w.now) {
		p = next
	}
	w.sessionProof[term] = p
	in.SessionProof = p
	if p.After(w.proven[term]) {
		w.proven[term] = p
	}
}

// checkRenewalInTime fails a leader that still leads term after a
// renewal's answer handled at or after the deadline counted from proven,
// the newest acknowledged write before it: the write it replaced may have
// expired by then, and its expiry marker may erase the renewal.
func (w *world) checkRenewalInTime(term uint64, proven time.Time) {
	w.tb.Helper()
	if w.s.Leading() && w.s.Lease.Term == term && !w.now.Before(proven.Add(w.t.RenewDeadline)) {
		w.fail("a renewal of term %d answered at %v, after the deadline %v, kept the lease", term, w.now, proven.Add(w.t.RenewDeadline))
	}
}

// checkWorkStopped fails a release or offer of a term we led that is
// written before the parent reported the term's work stopped, when the
// core is told to wait for that report, unless the wait ran out: the work
// gets a TTL from the Demoted.
func (w *world) checkWorkStopped(e Effect) {
	w.tb.Helper()
	if at, ok := w.demotedAt[e.Lease.Term]; ok && !w.now.Before(at.Add(w.t.TTL)) {
		return
	}
	if w.t.AwaitWorkStopped && w.demoted[e.Lease.Term] && !w.stopped[e.Lease.Term] {
		w.fail("%s of term %d before its work reported stopped", e.Kind, e.Lease.Term)
	}
}

// checkState checks the invariants that hold between steps.
func (w *world) checkState() {
	w.tb.Helper()
	s := w.s
	if !slices.Contains(phases, s.Phase) {
		w.fail("phase %q is not in the table", s.Phase)
	}
	if _, armed := w.timers[TimerDeadline]; s.Parked && (!s.Leading() || armed || s.Renewing) {
		w.fail("parked in %s (deadline timer armed %v, renewing %v)", s.Phase, armed, s.Renewing)
	}
	if s.Leading() {
		if w.leading == nil || w.leading.Term != s.Lease.Term {
			w.fail("leading term %d, announced %v", s.Lease.Term, w.leading)
		}
		// The deadline counts from when the newest acknowledged write was
		// sent, as the world saw it, not from what the core believes. A
		// process resuming from a pause handles one input before the
		// timers that fell due meanwhile.
		// A parked term's session was proven all along until it went
		// quiet.
		proven := w.proven[s.Lease.Term]
		if quiet, ok := w.quietFrom[s.Lease.Term]; ok && s.Parked {
			proven = latest(proven, earliest(quiet, w.now))
		}
		if deadline := proven.Add(w.t.RenewDeadline); !w.resuming && !w.now.Before(deadline) {
			w.fail("leader at %v past its deadline %v", w.now, deadline)
		}
	} else if w.leading != nil {
		w.fail("phase %s but term %d was never demoted", s.Phase, w.leading.Term)
	}
}

// advance moves time forward by d, delivering every timer that falls due on
// the way, in order.
func (w *world) advance(d time.Duration) {
	end := w.now.Add(d)
	for !w.finished {
		name, due, ok := w.nextTimer()
		if !ok || due.at.After(end) {
			break
		}
		delete(w.timers, name)
		if due.at.After(w.now) {
			w.now = due.at
		}
		w.feed(Input{Kind: InTick, Timer: name, Term: due.term})
	}
	if end.After(w.now) {
		w.now = end
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// nextTimer is the timer due first.
func (w *world) nextTimer() (Timer, armed, bool) {
	var name Timer
	var first armed
	found := false
	for n, a := range w.timers {
		if !found || a.at.Before(first.at) || (a.at.Equal(first.at) && n < name) {
			name, first, found = n, a, true
		}
	}
	return name, first, found
}

// answer replies to the i-th pending write with a random result.
func (w *world) answer(i int) {
	req := w.pending[i]
	w.pending = slices.Delete(w.pending, i, i+1)
	in := Input{SentAt: req.sentAt, Err: "boom"}
	switch req.kind {
	case DoAcquire:
		in.Kind, in.Seq = InAcquired, req.seq
		in.Result = w.pick(WriteOK, WriteOK, WriteConflict, WriteConflict, WriteFailed, WriteUnknown, WritePermanent)
		if in.Result == WriteOK {
			w.rev++
			in.Lease = Lease{Term: w.rev, Revision: w.rev, Nonce: strconv.FormatUint(req.seq, 10)}
			w.newest[w.rev] = w.rev
			w.proven[w.rev] = req.sentAt
			w.stamped[w.rev] = w.now
		}
	case DoRenew:
		w.renewing[req.lease.Term]--
		in.Kind, in.Lease = InRenewed, req.lease
		in.Result = w.pick(WriteOK, WriteOK, WriteOK, WriteConflict, WriteFailed, WriteUnknown)
		if in.Result == WriteOK {
			// The session's proof stamped on this very answer counts: a
			// session lease's key is never written, so no marker follows.
			term, proven := req.lease.Term, w.proven[req.lease.Term]
			defer func() { w.checkRenewalInTime(term, latest(proven, w.sessionProof[term])) }()
			w.rev++
			in.Lease.Revision = w.rev
			w.newest[req.lease.Term] = w.rev
			if req.sentAt.After(w.proven[req.lease.Term]) {
				w.proven[req.lease.Term] = req.sentAt
			}
		}
	case DoConfirm:
		in.Kind, in.Seq, in.Lease = InConfirmed, req.seq, req.lease
		in.Result = w.pick(WriteOK, WriteOK, WriteOK, WriteConflict, WriteFailed, WriteUnknown)
		in.Stored = w.stamped[req.lease.Revision]
	case DoRelease:
		in.Kind, in.Lease = InReleased, req.lease
		in.Result = w.pick(WriteOK, WriteOK, WriteConflict, WriteFailed)
	case DoRead:
		in.Kind, in.Seq = InRead, req.seq
		in.Result = w.pick(WriteOK, WriteOK, WriteOK, WriteFailed, WriteUnknown)
		if in.Result == WriteOK {
			w.rev++
			switch w.rng.IntN(3) {
			case 0:
				in.Key = KeyView{Free: true, Revision: w.rev}
			case 1:
				in.Key = KeyView{Revision: w.rev, Holder: Holder{Name: "other", Term: w.rev, Revision: w.rev, Nonce: "n"}}
			case 2:
				switch {
				case req.lease.Term != 0:
					// A renewal whose answer was lost had applied: the key holds
					// our lease at a revision we never heard of.
					in.Key = KeyView{Revision: w.rev, Holder: Holder{Name: w.t.InstanceID, Term: req.lease.Term, Revision: w.rev, Nonce: req.lease.Nonce}}
					w.newest[req.lease.Term] = w.rev
					w.shown[w.rev] = in.Key.Holder
				case w.s.OursRevision == 0:
					// The read-back of an acquisition, from a server that lags
					// the one that refused it: the marker or ended lease the
					// write expected.
					in.Key = KeyView{Free: true, Revision: w.s.FreeRevision, Session: w.s.FreeSession, SessionEnd: w.s.FreeSessionEnd}
				default:
					in.Key = KeyView{Free: true, Revision: w.rev}
				}
			}
		}
	case DoOffer:
		in.Kind, in.Lease = InReleased, req.lease
		in.Result = w.pick(WriteOK, WriteOK, WriteConflict, WriteFailed, WriteUnknown)
		if in.Result == WriteOK {
			w.rev++
		}
	}
	if in.Result == WriteOK {
		in.Err = ""
	}
	w.feed(in)
}

// pick returns one of rs at random.
func (w *world) pick(rs ...WriteResult) WriteResult { return rs[w.rng.IntN(len(rs))] }

// observe feeds a random observation of the key.
func (w *world) observe() {
	k := KeyView{}
	switch w.rng.IntN(5) {
	case 0:
		k.Free = true
		if w.rng.IntN(3) > 0 {
			w.rev++
			k.Revision = w.rev
			// Now and then an offer whose holder's session ended: free
			// to take over, but its own TTL may erase a write over it.
			k.Expiring = w.rng.IntN(4) == 0
			k.Written = w.now
		}
	case 4:
		// Another holder's lease on offer, now and then to us.
		w.rev++
		k.Revision = w.rev
		k.Holder = Holder{Name: "other", Term: w.rev - 1, Revision: w.rev, Nonce: "x", OfferedTo: w.pickString("me", "me", "third")}
		k.Expiring, k.Written = true, w.now
	case 1:
		w.rev++
		k.Revision = w.rev
		k.Holder = Holder{Name: "other", Term: w.rev, Revision: w.rev, Nonce: "x"}
	case 2:
		k.Holder = Holder{Name: "other", Foreign: true, Revision: w.rev}
		k.Revision = w.rev
	default:
		l := w.s.Lease
		k.Revision = l.Revision
		k.Holder = Holder{Name: "me", Term: l.Term, Revision: l.Revision, Nonce: l.Nonce}
		k.Ours = l.Term != 0 && w.rng.IntN(2) == 0
		if l.Term != 0 && w.rng.IntN(8) == 0 {
			// The session that keeps our lease ended: the key is free at
			// the lease's own revision.
			k = KeyView{Free: true, Revision: l.Revision}
		}
		if l.Term == 0 {
			k.Free = true
			if term := w.lastTerm(); term != 0 && w.rng.IntN(2) == 0 {
				// A term of ours left under our own session after it ended.
				k = KeyView{Revision: w.newest[term], Ours: true, Holder: Holder{Name: "me", Term: term, Revision: w.newest[term], Nonce: "n"}}
			}
		}
	}
	w.feed(Input{Kind: InKey, Key: k})
}

// lastTerm is the newest term we acquired, 0 before the first.
func (w *world) lastTerm() uint64 {
	var last uint64
	for term := range w.newest {
		last = max(last, term)
	}
	return last
}

// randomStep does one random thing to the election.
func (w *world) randomStep() {
	switch n := w.rng.IntN(100); {
	case n < 30:
		w.advance(time.Duration(w.rng.Int64N(int64(3 * w.t.HeartbeatInterval / 2))))
	case n < 55:
		if len(w.pending) > 0 {
			w.answer(w.rng.IntN(len(w.pending)))
		}
	case n < 75:
		w.observe()
	case n < 81:
		w.feed(Input{Kind: InConnection, Conn: ConnState(1 + w.rng.IntN(3))})
	case n < 88:
		w.feed(Input{Kind: InHealth, Failures: w.rng.IntN(w.t.HealthFailureThreshold + 2)})
	case n < 91:
		w.feed(Input{Kind: InChildFailed, Child: Child(1 << w.rng.IntN(5)), Err: "gave up"})
	case n < 94:
		w.feed(Input{Kind: InResign})
	case n < 95:
		named := w.pickString("other", "third", "me")
		w.feed(Input{Kind: InResign, Successor: named, SuccessorLive: w.rng.IntN(3) > 0})
	case n < 96 && w.t.AwaitWorkStopped:
		w.workStopped()
	case n < 97:
		w.candidates(w.pickString("", "me", "me other", "other me third", "third other me"), w.rng.IntN(2) == 0)
	case n < 98:
		w.stale()
	case n < 99:
		w.pause()
	default:
		w.rarely()
	}
}

// workStopped reports, as the parent does once OnDemote has returned, that
// the work of the last term announced over has stopped.
func (w *world) workStopped() {
	var last uint64
	for term := range w.demoted {
		if !w.stopped[term] {
			last = max(last, term)
		}
	}
	if last != 0 {
		w.stopped[last] = true
		w.feed(Input{Kind: InWorkStopped, Term: last})
	}
}

// pause models a paused process: time passes without its timers firing,
// then it handles an answer that arrived meanwhile before those timers.
func (w *world) pause() {
	w.tb.Helper()
	if quiet, ok := w.quietFrom[w.s.Lease.Term]; ok && w.s.Leading() && w.now.Before(quiet) {
		// The session pauses with the process: it goes quiet now, and
		// the store's wake falls due After from its newest proof.
		w.quietFrom[w.s.Lease.Term] = w.now
		hb := w.timers[TimerHeartbeat]
		hb.at = hb.at.Add(w.now.Sub(quiet))
		w.timers[TimerHeartbeat] = hb
	}
	w.now = w.now.Add(time.Duration(w.rng.Int64N(int64(w.t.TTL))))
	w.resuming = true
	switch {
	case w.rng.IntN(3) == 0:
		w.feed(Input{Kind: InResign}) // a request that waited in the mailbox
	case len(w.pending) > 0:
		w.answer(w.rng.IntN(len(w.pending)))
	}
	w.advance(0)
	w.resuming = false
	w.checkState()
}

// stale feeds a duplicate or late answer that the core must ignore.
func (w *world) stale() {
	switch w.rng.IntN(5) {
	case 4:
		// A read's answer when no read-back is in flight.
		if w.s.ReadBack == 0 && w.s.KeyRead == 0 {
			w.feed(Input{Kind: InRead, Seq: w.s.Reads + 1, Result: WriteOK, Key: KeyView{Free: true, Revision: w.rev}})
		}
	case 3:
		w.feed(Input{Kind: InConfirmed, Seq: w.s.Attempts + 1, Result: WriteOK, Lease: Lease{Term: w.rev + 1, Revision: w.rev + 2}})
	case 0:
		w.feed(Input{Kind: InAcquired, Seq: w.s.Attempts + 1, Result: WriteOK, Lease: Lease{Term: w.rev + 1, Revision: w.rev + 1}})
	case 1:
		w.feed(Input{Kind: InReleased, Lease: Lease{Term: w.rev + 1}, Result: WriteOK})
	default:
		w.feed(Input{Kind: InStoreOpened})
	}
}

// rarely feeds what ends an election or should not happen twice.
func (w *world) rarely() {
	switch w.rng.IntN(4) {
	case 0:
		w.feed(Input{Kind: InStop, KeepLease: w.rng.IntN(2) == 0})
	case 1:
		w.feed(Input{Kind: InStop, Forced: true, Err: w.pickString("", "the actor failed")})
	case 2:
		w.feed(Input{Kind: InStop, Forced: w.rng.IntN(2) == 0, Err: "the actor failed"})
	default:
		w.feed(Input{Kind: InStart})
	}
}

// pickString returns one of ss at random.
func (w *world) pickString(ss ...string) string { return ss[w.rng.IntN(len(ss))] }

// start opens the store, after a few failures now and then, and makes the
// key free, so the core campaigns.
func (w *world) start() {
	w.feed(Input{Kind: InStart})
	for w.rng.IntN(8) == 0 && !w.finished {
		w.feed(Input{Kind: InStoreOpened, Err: "no responders", Permanent: w.rng.IntN(4) == 0})
		if w.s.Phase == StateStarting {
			w.advance(w.s.RetryDelay)
		}
	}
	if w.finished {
		return
	}
	w.feed(Input{Kind: InStoreOpened})
	w.feed(Input{Kind: InKey, Key: KeyView{Free: true}})
}

// stopAndDrain stops the election gracefully and answers everything until it
// finishes; it fails if the stop does not finish or leaves a term open.
func (w *world) stopAndDrain() {
	w.tb.Helper()
	w.feed(Input{Kind: InStop})
	for i := 0; !w.finished && i < 200; i++ {
		if w.s.AwaitingWork && !w.stopped[w.s.Lease.Term] {
			w.workStopped()
			continue
		}
		if len(w.pending) > 0 {
			w.answer(0)
			continue
		}
		w.advance(w.t.OpTimeout)
	}
	if !w.finished {
		w.fail("the stop did not finish; phase %s", w.s.Phase)
	}
	if w.leading != nil {
		w.fail("stopped with term %d never demoted", w.leading.Term)
	}
}
