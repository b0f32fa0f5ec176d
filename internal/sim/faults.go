package sim

import (
	"time"

	"github.com/batonhq/baton/fsm"
)

// Fault is a class of fault the simulation injects.
type Fault uint8

// The fault classes. Clock drift is not among them: every clock of every
// run drifts (Options.Drift).
const (
	// FaultSlow delays the messages between a candidate and the store,
	// both ways or one.
	FaultSlow Fault = iota
	// FaultLoss loses messages between a candidate and the store.
	FaultLoss
	// FaultDisconnect cuts a candidate's connection, then restores it.
	FaultDisconnect
	// FaultPause stops a candidate's process handling inputs for a while.
	FaultPause
	// FaultCrash kills a candidate's process; it restarts with a new state.
	FaultCrash
	// FaultHealth makes a candidate's health checks fail for a while.
	FaultHealth
	// FaultResign asks a candidate to resign, sometimes naming a
	// successor.
	FaultResign
	// FaultStop stops a candidate gracefully, then starts it again.
	FaultStop
	// FaultStoreRestart takes the store down for a while; it keeps its
	// data, the candidates' watches are re-established, and another node
	// leads the stream when it comes back.
	FaultStoreRestart
	// FaultLeaderChange moves the stream's leadership to another node,
	// whose wall clock expires keys from then on.
	FaultLeaderChange
	// FaultClockStep steps a server node's wall clock forward, within
	// Options.ServerSkew.
	FaultClockStep
	// FaultSick makes a candidate's health checks fail for the rest of the
	// run, across restarts: the faults' heal does not end it.
	FaultSick
	numFaults
)

var faultNames = [numFaults]string{"slow", "loss", "disconnect", "pause", "crash", "health", "resign", "stop", "store-restart", "leader-change", "clock-step", "sick"}

// String names the class.
func (f Fault) String() string {
	if f < numFaults {
		return faultNames[f]
	}
	return "unknown"
}

// drawFaults books the run's faults: up to eight, each striking one
// candidate (or the store) at a random time before healAt and lasting up
// to 3s, cut short by the heal.
func (w *world) drawFaults() {
	for range w.rng.IntN(9) {
		f := Fault(w.rng.IntN(int(numFaults)))
		c := w.cands[w.rng.IntN(len(w.cands))]
		start := 500*time.Millisecond + time.Duration(w.rng.Int64N(int64(healAt-time.Second)))
		d := time.Duration(w.rng.Int64N(int64(3 * time.Second)))
		w.res.Faults[f]++
		w.q.push(start, func() { w.strike(f, c, d) })
	}
}

// strike injects fault f on c for d.
func (w *world) strike(f Fault, c *candidate, d time.Duration) {
	end := min(w.now+d, healAt)
	w.tracef("fault %s on %s until %v", f, c.name, end)
	w.mix(uint64(f)<<16 | uint64(c.id))
	switch f {
	case FaultSlow:
		c.link.slowUntil, c.link.slowMax = end, time.Millisecond+time.Duration(w.rng.Int64N(int64(1500*time.Millisecond)))
		c.link.slowDirs = w.slowDirections()
	case FaultLoss:
		c.link.lossUntil, c.link.loss = end, 0.1+0.9*w.rng.Float64()
	case FaultDisconnect:
		w.setLink(c, false)
		w.q.push(end, func() { w.setLink(c, true) })
	case FaultPause:
		c.pause(end - w.now)
	case FaultCrash:
		if c.up {
			c.crash()
			w.q.push(end, func() {
				if !c.up {
					c.start()
				}
			})
		}
	case FaultHealth:
		w.unhealthy(c, c.gen, 1, end)
	case FaultResign:
		c.deliver(c.gen, w.resignation(c))
	case FaultStop:
		if c.up {
			c.deliver(c.gen, fsm.Input{Kind: fsm.InStop, KeepLease: w.rng.IntN(4) == 0})
			gen := c.gen
			w.q.push(end, func() { w.restart(c, gen) })
		}
	case FaultStoreRestart:
		w.storeDown(end)
	case FaultLeaderChange:
		w.changeLeader()
	case FaultClockStep:
		w.stepClock(w.rng.IntN(serverNodes))
	case FaultSick:
		if !c.sick {
			c.sick = true
			w.unhealthy(c, c.gen, 1, forever)
		}
	}
}

// forever is an end no run reaches.
const forever = time.Duration(1<<63 - 1)

// resignation asks c to resign, in half of the cases naming another
// candidate as its successor (live or not), so a leader hands its lease
// over with an offer that the successor claims.
func (w *world) resignation(c *candidate) fsm.Input {
	in := fsm.Input{Kind: fsm.InResign}
	if len(w.cands) > 1 && w.rng.IntN(2) == 0 {
		s := w.cands[(c.id+1+w.rng.IntN(len(w.cands)-1))%len(w.cands)]
		in.Successor, in.SuccessorLive = s.name, s.up
	}
	return in
}

// unhealthy reports failed health checks, one every healthInterval, until
// end, then a passing one.
func (w *world) unhealthy(c *candidate, gen uint64, failures int, end time.Duration) {
	if gen != c.gen {
		return
	}
	if w.now >= end {
		c.deliver(gen, fsm.Input{Kind: fsm.InHealth})
		return
	}
	c.deliver(gen, fsm.Input{Kind: fsm.InHealth, Failures: failures, Err: "unhealthy"})
	w.at(healthInterval, func() { w.unhealthy(c, gen, failures+1, end) })
}

// restart starts incarnation gen of c again after a graceful stop; one that
// has not finished stopping by then is killed first.
func (w *world) restart(c *candidate, gen uint64) {
	if gen != c.gen {
		return
	}
	if c.up {
		c.crash()
	}
	c.start()
}

// storeDown takes the store down until end: every connection drops, and
// nothing is applied or expired meanwhile. It comes back under another
// leader, which applies the limit markers proposed before.
func (w *world) storeDown(end time.Duration) {
	if !w.storeUp {
		return
	}
	w.storeUp = false
	for _, c := range w.cands {
		w.connectivity(c)
	}
	w.q.push(end, func() {
		if !w.storeUp {
			w.storeBack()
		}
	})
}

// storeBack brings the store up under a new leader.
func (w *world) storeBack() {
	w.storeUp = true
	w.changeLeader()
	for _, key := range w.proposed {
		w.mark(key)
	}
	w.proposed = nil
	for _, c := range w.cands {
		w.connectivity(c)
	}
}

// heal ends every fault: links are fast, lossless and connected, processes
// resume, crashed or stopped ones start again, the store is up. Health
// faults end on their own at healAt; a sick candidate stays sick.
func (w *world) heal() {
	if !w.storeUp {
		w.storeBack()
	}
	for _, c := range w.cands {
		c.link = linkFaults{}
		c.linkUp = true
		w.connectivity(c)
		if c.paused() {
			c.pausedUntil = w.now
			c.resume(c.gen)
		}
		if !c.up {
			c.start()
		}
	}
	w.check.healed(w)
}
