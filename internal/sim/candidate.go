package sim

import (
	"slices"
	"strconv"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/transport"
)

// candidate is one election: a decision core, its clock, its timers, and
// the process it runs in, which can pause, crash and restart.
type candidate struct {
	w    *world
	id   int
	name string
	t    fsm.Timing
	s    fsm.ElectionState
	clk  clock

	// gen is the process's incarnation: events for an earlier one are
	// dropped, as a crashed process never sees its replies.
	gen      uint64
	up       bool // the process runs (not crashed, not finished)
	finished bool // the election ended (DoFinish)

	pausedUntil time.Duration
	backlog     []pending

	sick bool // its health checks fail for the rest of the run (FaultSick)

	timers [fsm.LastTimer + 1]uint64 // generation of each timer's latest arming

	linkUp     bool // the candidate's own link to the store
	connected  bool // what the core was last told
	watching   bool
	registered bool            // its registry child runs (registry.go)
	priority   int             // its priority in the order of succession
	awaitWork  bool            // its parent reports each ended term's work stopped (stopWork)
	hubRev     uint64          // the newest revision the watch delivered
	listed     bool            // the watch delivered the key's state once
	watchAt    time.Duration   // when the last watch event was delivered, to keep order
	later      *deferredChange // the watch's change held back (watch_defer.go)

	// records is the record each term was won with (its nonce and, in
	// session mode, the session that keeps it), as the actor keeps them.
	records map[uint64]transport.Record
	// In session mode: the store's session, and the watch's view of
	// sessions: those it knows ended, with their ends, the message it
	// delivered last and whether it delivered the end of that lease's
	// session.
	sess     session
	dead     map[string]uint64
	hubEntry Entry[value]
	hubEnded bool

	link linkFaults

	// parked is the heartbeat parked on the session (park.go).
	parked parkedBeat
}

// pending is an input that arrived while the process was paused; a tick
// keeps its timer's generation so a cancelled timer stays cancelled. fn,
// when set, is work of the process's store (a session's keepalive or the
// reply to its write) to run instead.
type pending struct {
	in   fsm.Input
	tgen uint64
	fn   func()
}

// newCandidate draws candidate i's clock.
func newCandidate(w *world, i int) *candidate {
	name := "c" + strconv.Itoa(i)
	return &candidate{
		w: w, id: i, name: name, linkUp: true, connected: true,
		clk: clock{rate: w.rate(), base: w.epoch.Add(time.Duration(i+1) * time.Hour)},
	}
}

// start begins a new incarnation from a fresh election state.
func (c *candidate) start() {
	c.gen++
	c.up, c.finished, c.watching, c.registered = true, false, false, false
	c.hubRev, c.listed, c.backlog, c.pausedUntil = 0, false, nil, 0
	c.sess, c.records, c.dead, c.hubEntry, c.hubEnded = session{}, map[uint64]transport.Record{}, map[string]uint64{}, Entry[value]{}, false
	c.parked = parkedBeat{}
	c.connected = true
	c.timers = [fsm.LastTimer + 1]uint64{}
	c.t = succession(timing(c.name, c.w.rng.Uint64()), c.priority, c.w.preferred, c.awaitWork)
	c.t.Sessions = c.w.opts.Sessions
	c.s = fsm.NewElectionState()
	c.deliver(c.gen, fsm.Input{Kind: fsm.InStart})
	if c.sick {
		c.w.unhealthy(c, c.gen, 1, forever)
	}
}

// crash loses the process and its state at once.
func (c *candidate) crash() {
	if c.registered {
		c.w.lapse(c.name, c.gen)
	}
	c.gen++
	c.up, c.watching, c.registered, c.backlog = false, false, false, nil
}

// paused reports whether the process is paused now.
func (c *candidate) paused() bool { return c.w.now < c.pausedUntil }

// pause stops the process handling inputs for d; what arrives meanwhile is
// handled, late, when it resumes.
func (c *candidate) pause(d time.Duration) {
	if !c.up || c.paused() {
		return
	}
	c.pausedUntil = c.w.now + d
	gen := c.gen
	c.w.at(d, func() { c.resume(gen) })
}

// resume handles the inputs that arrived during a pause, in order.
func (c *candidate) resume(gen uint64) {
	if gen != c.gen {
		return
	}
	c.pausedUntil = 0
	for len(c.backlog) > 0 && gen == c.gen && !c.paused() {
		p := c.backlog[0]
		c.backlog = c.backlog[1:]
		switch {
		case p.fn != nil:
			p.fn()
		case p.in.Kind != fsm.InTick || c.timers[p.in.Timer] == p.tgen:
			c.step(p.in)
		}
	}
}

// deliver hands in to incarnation gen of the process.
func (c *candidate) deliver(gen uint64, in fsm.Input) {
	c.deliverTick(gen, in, 0)
}

// deliverTick is deliver for a tick armed as generation tgen.
func (c *candidate) deliverTick(gen uint64, in fsm.Input, tgen uint64) {
	switch {
	case gen != c.gen || !c.up:
	case c.paused():
		c.backlog = append(c.backlog, pending{in: in, tgen: tgen})
	case in.Kind != fsm.InTick || c.timers[in.Timer] == tgen:
		c.step(in)
	}
}

// run has incarnation gen of the process run fn, late if it is paused.
func (c *candidate) run(gen uint64, fn func()) {
	switch {
	case gen != c.gen || !c.up:
	case c.paused():
		c.backlog = append(c.backlog, pending{fn: fn})
	default:
		fn()
	}
}

// step runs the decision core on in at the candidate's time and carries out
// its effects.
func (c *candidate) step(in fsm.Input) {
	w := c.w
	in.At = c.clk.at(w.now)
	if c.t.Sessions && c.s.Leading() {
		// As the actor stamps it: the newest proof of the lease's session.
		in.SessionProof = interpret.SessionProof(c.records[c.s.Lease.Term], c.sessionProof(), in.At, in.At)
	}
	switch {
	case w.opts.Bug == BugAckDeadline && (in.Kind == fsm.InAcquired || in.Kind == fsm.InRenewed):
		in.SentAt = in.At
	case w.opts.Bug == BugLateAckProof && (in.Kind == fsm.InRenewed || in.Kind == fsm.InConfirmed) && !in.SentAt.IsZero():
		in.At = in.SentAt
	}
	readBack := in.Kind == fsm.InConfirmed && c.s.Confirming.Term != 0 && in.Seq == c.s.Attempt
	next, effects := fsm.Step(c.t, c.s, in)
	if w.opts.Trace != nil {
		w.tracef("%s %s: %s", c.name, c.s.Phase, setFields(in))
	}
	c.s = next
	w.res.Steps++
	w.mix(uint64(w.now))
	w.mix(uint64(c.id)<<8 | uint64(in.Kind))
	if readBack {
		w.claimRead(in, effects)
	}
	for _, e := range effects {
		if w.opts.Trace != nil && e.Kind != fsm.DoMoved {
			w.tracef("%s   %s", c.name, setFields(e))
		}
		c.carryOut(e)
	}
	w.check.leases(w)
}

// claimRead counts what the core made of a claim read back.
func (w *world) claimRead(in fsm.Input, effects []fsm.Effect) {
	switch {
	case in.Result == fsm.WriteConflict:
		w.res.ClaimsGone++
	case in.Result != fsm.WriteOK:
	case slices.ContainsFunc(effects, func(e fsm.Effect) bool { return e.Kind == fsm.DoPromoted }):
		w.res.ClaimsLed++
	default:
		w.res.ClaimsUnproven++
	}
}

// arm (re)arms a timer to fire after d on the candidate's clock.
func (c *candidate) arm(name fsm.Timer, term uint64, d time.Duration) {
	c.timers[name]++
	gen, tgen := c.gen, c.timers[name]
	c.w.at(c.clk.span(d), func() {
		c.deliverTick(gen, fsm.Input{Kind: fsm.InTick, Timer: name, Term: term}, tgen)
	})
}

// believes reports whether the candidate leads and its own deadline has not
// passed: the time until which it may act as leader, as Status.IsLeader
// tells it, counting the newest proof of the lease's session.
func (c *candidate) believes() (until time.Duration, ok bool) {
	if !c.up || !c.s.Leading() {
		return 0, false
	}
	proof := interpret.SessionProof(c.records[c.s.Lease.Term], c.sessionProof(), c.clk.at(c.w.now), c.clk.at(c.w.now))
	until = c.clk.when(c.s.LeaseDeadlineProven(c.t, proof))
	return until, until > c.w.now
}

// stopInput is a graceful stop that releases the lease.
func stopInput() fsm.Input { return fsm.Input{Kind: fsm.InStop} }
