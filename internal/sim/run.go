package sim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"time"
)

// Result is what one run did and what the checkers found.
type Result struct {
	// Seed replays the run.
	Seed uint64
	// Candidates is how many elections ran.
	Candidates int
	// Virtual is the virtual time simulated.
	Virtual time.Duration
	// Steps counts the inputs the decision cores handled.
	Steps int
	// Promotions counts terms begun; Handovers those begun by another
	// candidate than the previous term's.
	Promotions, Handovers int
	// Faults counts the faults injected, by class.
	Faults [numFaults]int
	// Effects counts what the faults did, so a run cannot pass by doing
	// nothing: writes whose outcome was unknown, keys freed by expiry,
	// fenced writes refused, terms ended by the deadline.
	Unknown, Expiries, Refused, DeadlineDemotions int
	// Erased counts the writes applied while an expiry marker was on its
	// way, and then erased by it.
	Erased int
	// Takeovers counts leases taken over after their session ended.
	Takeovers int
	// Claims counts the won claims of offers read back from the stream
	// leader, by what the core made of them: led, found but not proven
	// (applied too close to the offer's expiry, or read too late), gone
	// (the offer's expiry marker erased the claim, or the key moved on).
	ClaimsLed, ClaimsUnproven, ClaimsGone int
	// TwoLeaders counts the checks that found more than one candidate
	// leading at once (each is also a violation of S).
	TwoLeaders int
	// Recovery is how long after the faults healed a candidate led.
	Recovery time.Duration
	// Violations are the failed checks.
	Violations []Violation
	// Trace is a hash of everything that happened, in order: the same seed
	// and options give the same trace.
	Trace uint64
}

// world is one run: the candidates, the store and the network under one
// virtual clock.
type world struct {
	opts  Options
	rng   *rand.Rand
	q     queue
	now   time.Duration
	epoch time.Time

	server   clock // the servers' clock before each node's offset
	nodes    servers
	store    *Store[value]
	history  map[string][]written // each key's recent messages, for stale reads
	storeUp  bool
	sweeps   uint64   // generation of the scheduled sweep
	proposed []string // limit markers due while the store was down

	cands     []*candidate
	reg       registry // the order of succession
	preferred bool     // leaders yield to a live candidate that outranks them
	register  register
	check     checker
	last      string // the holder of the previous term, for handovers
	stopping  bool
	res       Result
}

// written is a message of a key and the true time it was stored.
type written struct {
	e  Entry[value]
	at time.Duration
}

// value is what a key holds in the model: of a lease's record, the parts
// the protocol reads (session is the key of the session that keeps it, in
// session mode; offeredTo the successor it is offered to); of a session's
// key, its holder.
type value struct {
	holder, nonce, session, offeredTo string
	term                              uint64
}

// maxEvents bounds a run: one takes about a thousand events, so a run that
// reaches this is stuck repeating something without virtual time passing.
const maxEvents = 1_000_000

// Run simulates the elections of one seed and checks them.
func Run(seed uint64, opts Options) Result {
	w := newWorld(seed, opts)
	w.schedule()
	for events := 0; ; events++ {
		e, ok := w.q.pop()
		if !ok {
			break
		}
		if events == maxEvents {
			w.check.fail(w, CheckProgress, "%d events by %v of virtual time: stuck in a loop", events, w.now)
			w.res.Virtual = w.now
			break
		}
		w.now = e.at
		e.fn()
	}
	w.finish()
	return w.res
}

// newWorld draws the run's candidates and clocks from seed.
func newWorld(seed uint64, opts Options) *world {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := &world{opts: opts, rng: rng, epoch: time.Unix(1_700_000_000, 0), storeUp: true, history: map[string][]written{}}
	w.res.Seed = seed
	w.server = clock{rate: w.rate(), base: w.epoch}
	w.drawServers()
	w.store = NewStore[value](w.serverNow().Add(time.Duration(rng.Int64N(int64(250 * time.Millisecond)))))
	w.store.OnChange = w.changed
	w.check = newChecker()
	n := 2 + rng.IntN(4)
	w.preferred = rng.IntN(2) == 0
	for i := range n {
		c := newCandidate(w, i)
		c.priority, c.awaitWork = rng.IntN(3), rng.IntN(2) == 0
		w.cands = append(w.cands, c)
	}
	w.res.Candidates = n
	return w
}

// rate draws a clock rate within the drift.
func (w *world) rate() float64 {
	d := w.opts.drift()
	return 1 + d*(2*w.rng.Float64()-1)
}

// at schedules fn after d of true time.
func (w *world) at(d time.Duration, fn func()) { w.q.push(w.now+d, fn) }

// schedule starts the candidates, draws the faults and books the checks at
// the end of the run.
func (w *world) schedule() {
	for _, c := range w.cands {
		w.at(time.Duration(w.rng.Int64N(int64(100*time.Millisecond))), c.start)
	}
	w.drawFaults()
	w.q.push(healAt, w.heal)
	w.q.push(healAt+livenessBound, w.stopAll)
}

// stopAll checks liveness and stops every candidate gracefully.
func (w *world) stopAll() {
	w.check.liveness(w)
	w.stopping = true
	for _, c := range w.cands {
		c.deliver(c.gen, stopInput())
	}
	w.at(stopBound, func() { w.check.stoppedInTime(w) })
	w.at(ttl+stopBound, w.endRun)
}

// endRun checks that every candidate finished, then drops what is left.
// A stop that waits for a term's work to stop may wait a TTL for a report
// that never comes (stopWork), so the end comes a TTL after stopBound.
func (w *world) endRun() {
	w.check.stopped(w)
	w.res.Virtual = w.now
	w.q.h = nil
}

// finish runs the checks over the whole run.
func (w *world) finish() {
	w.check.fencing(w)
	w.res.Violations = w.check.out
}

// tracef writes a line of the trace when Options.Trace asks for one.
func (w *world) tracef(format string, args ...any) {
	if w.opts.Trace != nil {
		fmt.Fprintf(w.opts.Trace, "%-14v "+format+"\n", append([]any{w.now}, args...)...)
	}
}

// setFields prints a struct's fields that are set, so a trace line shows what
// an input or effect says and nothing else.
func setFields(v any) string {
	r := reflect.ValueOf(v)
	var b strings.Builder
	for i := range r.NumField() {
		f := r.Field(i)
		if f.IsZero() {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.Type().Field(i).Name + "=")
		switch x := f.Interface().(type) {
		case time.Time:
			b.WriteString(x.Format("15:04:05.000000"))
		case fmt.Stringer:
			b.WriteString(x.String())
		default:
			if f.Kind() == reflect.Struct {
				b.WriteString("{" + setFields(x) + "}")
			} else {
				fmt.Fprint(&b, x)
			}
		}
	}
	return b.String()
}

// mix folds x into the trace.
func (w *world) mix(x uint64) {
	h := w.res.Trace ^ x
	h *= 0x100000001b3
	w.res.Trace = h ^ h>>29
}
