package chaos

import (
	"context"
	"fmt"
	"time"
)

// injectServerRestart restarts the single server, after a random downtime
// of up to two TTLs (zero for an immediate restart).
func injectServerRestart(ctx context.Context, e *env) (*injection, error) {
	downtime := e.upTo(2 * e.t.TTL)
	inj := e.begin(ClassServerRestart, "")
	victims := e.liveMembers()
	before := e.reconnects(victims)
	if downtime > 0 {
		e.srv.Shutdown()
		e.tl.add("server-restart: server down for %v", downtime)
		if err := hold(ctx, downtime); err != nil {
			return nil, err
		}
	}
	if err := e.srv.Restart(); err != nil {
		return nil, fmt.Errorf("%w: server-restart: %w", ErrInfrastructure, err)
	}
	inj.healed = time.Now()
	e.tl.add("server-restart: server up again after %v", inj.healed.Sub(inj.start).Round(time.Millisecond))
	inj.detail = fmt.Sprintf("downtime %v", downtime.Round(time.Millisecond))
	// Down past the deadline, the leader cannot have renewed: a new term must follow.
	mustChange := downtime >= e.t.RenewDeadline
	inj.effect = func(ev evidence) error {
		checks := reconnected(ev, victims, before, inj.start)
		if mustChange {
			_, changed := ev.led.firstNewTerm(inj.start, ev.end, inj.prev, "")
			checks = append(checks, check{changed, fmt.Sprintf("no new term after %v of downtime", downtime)})
		}
		return failIf(checks...)
	}
	return inj, nil
}

// injectStreamLeaderKill shuts down the node leading the lease bucket's
// stream, waits for another node to lead it and for a lease write to be
// acknowledged through the new stream leader, then restarts the node.
func injectStreamLeaderKill(ctx context.Context, e *env) (*injection, error) {
	k, err := e.clu.StreamLeader(account, streamName)
	if err != nil {
		return nil, fmt.Errorf("%w: stream-leader-kill: %w", ErrInfrastructure, err)
	}
	node := e.clu.Servers[k]
	inj := e.begin(ClassStreamLeaderKill, "")
	node.Shutdown()
	e.tl.add("stream-leader-kill: shut down %s, the leader of stream %s", node.Name(), streamName)
	j, err := e.clu.WaitStreamLeader(account, streamName, clusterTimeout)
	if err != nil {
		return nil, fmt.Errorf("%w: stream-leader-kill: no new stream leader: %w", ErrInfrastructure, err)
	}
	moved := time.Now()
	e.tl.add("stream-leader-kill: %s leads the stream after %v", e.clu.Servers[j].Name(), moved.Sub(inj.start).Round(time.Millisecond))
	progressed := func(l ledger, to time.Time) bool {
		if _, ok := l.firstNewTerm(moved, to, inj.prev, ""); ok {
			return true
		}
		for _, m := range e.pool {
			for _, b := range l.beaconsOf(m.id, moved, to) {
				if b.Leading && b.LastRenewal.After(moved) {
					return true
				}
			}
		}
		return false
	}
	if _, err := e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool { return progressed(l, now) }); err != nil {
		return nil, err
	}
	if err := node.Restart(); err != nil {
		return nil, fmt.Errorf("%w: stream-leader-kill: restart %s: %w", ErrInfrastructure, node.Name(), err)
	}
	if err := e.clu.WaitReady(clusterTimeout); err != nil {
		return nil, fmt.Errorf("%w: stream-leader-kill: %s did not rejoin: %w", ErrInfrastructure, node.Name(), err)
	}
	inj.healed = time.Now()
	e.tl.add("stream-leader-kill: %s rejoined", node.Name())
	inj.detail = fmt.Sprintf("stream leader %s down, %s took over in %v", node.Name(), e.clu.Servers[j].Name(), moved.Sub(inj.start).Round(time.Millisecond))
	inj.effect = func(ev evidence) error {
		return failIf(
			check{j != k, fmt.Sprintf("stream leadership stayed on %s", node.Name())},
			check{progressed(ev.led, inj.healed), fmt.Sprintf(
				"no lease renewal or acquisition was acknowledged while %s was down", node.Name())},
		)
	}
	return inj, nil
}

// reconnects returns each member's reconnection count in its latest beacon.
func (e *env) reconnects(ms []*member) map[string]uint64 {
	l := e.res.snapshot()
	out := make(map[string]uint64, len(ms))
	for _, m := range ms {
		if b, ok := l.lastBeaconBefore(m.id, time.Now()); ok {
			out[m.id] = b.Reconnects
		}
	}
	return out
}

// reconnected checks that every member still running reported a
// reconnection after from.
func reconnected(ev evidence, ms []*member, before map[string]uint64, from time.Time) []check {
	var checks []check
	for _, m := range ms {
		if m.ended {
			continue
		}
		ok := false
		for _, b := range ev.led.beaconsOf(m.id, from, ev.end) {
			ok = ok || b.Reconnects > before[m.id]
		}
		checks = append(checks, check{ok, fmt.Sprintf("%s never reconnected", m.id)})
	}
	return checks
}
