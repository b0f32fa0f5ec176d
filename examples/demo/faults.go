package main

import (
	"context"
	"fmt"
	"time"
)

// faultKind is what the demo does to a leader.
type faultKind string

// The faults.
const (
	// faultKill blackholes the leader's link: it hears nothing, is told
	// nothing, and must demote itself on its own clock while the server lets
	// its lease expire.
	faultKill faultKind = "kill"
	// faultStop stops the leader gracefully: it releases its leases and a
	// follower takes over at once.
	faultStop faultKind = "stop"
)

// fault is a fault in progress: its victim stays cut off or stopped until
// every role it led has a new leader, or until its recovery deadline.
type fault struct {
	kind   faultKind
	victim *candidate
	at     time.Time
	roles  map[string]*faultedRole // the roles the victim led
}

// faultedRole is how one role the victim led fares.
type faultedRole struct {
	demoted time.Duration // from the fault to the victim's Demoted
	done    bool          // a successor was promoted
}

// settled reports whether every role the victim led has a new leader.
func (f *fault) settled() bool {
	for _, fr := range f.roles {
		if !fr.done {
			return false
		}
	}
	return true
}

// injector injects faults into the leaders and brings the victims back.
// It is used only from run's goroutine.
type injector struct {
	candidates []*candidate
	board      *board
	log        *eventLog
	ttl        time.Duration // the lease TTL
	restart    func(ctx context.Context, c *candidate) error
	// injected counts the faults made, which rotates the target role.
	injected int
	// recoverBy fires when the fault in progress must end even without a
	// successor (for example, with a single candidate).
	recoverBy *time.Timer
}

// recoveryWait is how long a victim stays down at most: long enough for a
// lease to expire and a successor to be promoted.
func (in *injector) recoveryWait() time.Duration { return 3*in.ttl + time.Second }

// inject faults the leader of the next role that has one.
func (in *injector) inject(kind faultKind) {
	now := time.Now()
	if f := in.board.fault; f != nil {
		in.log.add(now, "fault", fmt.Sprintf("%s skipped: %s is still down after the last %s", kind, f.victim.name, f.kind))
		return
	}
	victim := in.pickVictim()
	if victim == nil {
		in.log.add(now, "fault", fmt.Sprintf("%s skipped: no role has a leader", kind))
		return
	}
	in.injected++
	f := &fault{kind: kind, victim: victim, roles: map[string]*faultedRole{}}
	var led []string
	for _, role := range roles {
		if in.board.roles[role].leader == victim.name {
			f.roles[role] = &faultedRole{}
			led = append(led, role)
		}
	}
	in.board.fault = f
	f.at = time.Now()
	switch kind {
	case faultKill:
		victim.kill()
		in.log.add(f.at, "fault", fmt.Sprintf("kill %s (leads %s): link cut silently; its lease must expire (TTL %v)",
			victim.name, joinOr(led, "nothing"), in.ttl))
	case faultStop:
		err := victim.stop()
		text := fmt.Sprintf("stop %s (leads %s): graceful stop, leases released", victim.name, joinOr(led, "nothing"))
		if err != nil {
			text += fmt.Sprintf(" (stop reported: %v)", err)
		}
		in.log.add(f.at, "fault", text)
	}
	in.recoverBy.Reset(in.recoveryWait())
}

// pickVictim returns the candidate leading the next role in rotation, or
// nil when no role has a leader.
func (in *injector) pickVictim() *candidate {
	for i := range roles {
		leader := in.board.roles[roles[(in.injected+i)%len(roles)]].leader
		for _, c := range in.candidates {
			if c.name == leader && c.running() && !c.cut {
				return c
			}
		}
	}
	return nil
}

// recoverIfSettled brings the victim back once every role it led has a
// new leader.
func (in *injector) recoverIfSettled(ctx context.Context) error {
	if f := in.board.fault; f != nil && f.settled() {
		return in.recover(ctx, "")
	}
	return nil
}

// recover heals or restarts the victim of the fault in progress; why, when
// not empty, says why it happens before every role has a new leader.
func (in *injector) recover(ctx context.Context, why string) error {
	f := in.board.fault
	if f == nil {
		return nil
	}
	in.board.fault = nil
	in.recoverBy.Stop()
	prefix := ""
	if why != "" {
		prefix = why + "; "
	}
	switch f.kind {
	case faultKill:
		f.victim.heal()
		in.log.add(time.Now(), "fault", prefix+f.victim.name+" link restored; it rejoins as a candidate")
	case faultStop:
		if err := in.restart(ctx, f.victim); err != nil {
			return err
		}
		in.log.add(time.Now(), "fault", prefix+f.victim.name+" restarted; it rejoins as a candidate")
	}
	return nil
}
