package chaos

import (
	"context"
	"fmt"
	"time"
)

// Latency fault parameters. The proxy delays each chunk in turn, so under
// steady traffic a byte can wait up to twice the delay plus jitter: at the
// low end renewals still fit in OpTimeout, at the high end they miss it.
const (
	latencyMinDelay = 20 * time.Millisecond
	latencyMaxExtra = 230 * time.Millisecond
)

// takeoverWait bounds how long a fault waits for the election to react
// before it heals: a lost lease expires after TTL, plus the server's expiry
// sweep and a campaign, plus one breaker cooldown: followers whose attempts
// kept failing meanwhile (through a node still catching up, say) stop
// campaigning that long, as configured.
func (e *env) takeoverWait() time.Duration { return e.t.TTL + 3*time.Second + e.t.BreakerCooldown }

// injectBlackhole cuts the leader's NATS link silently until another
// candidate leads and the cut-off leader has demoted itself.
func injectBlackhole(ctx context.Context, e *env) (*injection, error) {
	v := e.member(e.steady.Leader)
	inj := e.begin(ClassBlackhole, v.id)
	for _, p := range v.proxies {
		p.Blackhole()
	}
	e.tl.add("blackhole: %s's NATS link drops everything (it led under %s)", v.id, inj.prev)
	_, err := e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool {
		_, taken := l.firstNewTerm(inj.start, now, inj.prev, v.id)
		return taken && l.demoted(v.id, inj.start, now)
	})
	for _, p := range v.proxies {
		p.Heal()
	}
	inj.healed = time.Now()
	e.tl.add("blackhole: %s's link healed", v.id)
	if err != nil {
		return nil, err
	}
	inj.detail = fmt.Sprintf("link of %s cut for %v", v.id, inj.healed.Sub(inj.start).Round(time.Millisecond))
	inj.effect = blackholeEffect(inj)
	return inj, nil
}

// blackholeEffect: while cut off, the leader demoted itself and another
// candidate took over.
func blackholeEffect(inj *injection) func(evidence) error {
	return func(ev evidence) error {
		_, taken := ev.led.firstNewTerm(inj.start, inj.healed, inj.prev, inj.victim)
		return failIf(
			check{ev.led.demoted(inj.victim, inj.start, inj.healed), fmt.Sprintf("cut-off leader %s never reported a demotion while cut off", inj.victim)},
			check{taken, fmt.Sprintf("no other candidate took over while %s was cut off", inj.victim)},
		)
	}
}

// injectPartition cuts the node the leader is connected to away from every
// candidate, for at least a TTL and until the leader lost its lease or moved
// to another node.
func injectPartition(ctx context.Context, e *env) (*injection, error) {
	v := e.member(e.steady.Leader)
	last, ok := e.res.snapshot().lastBeaconBefore(v.id, time.Now())
	node := -1
	if ok {
		node = v.nodeOf(last.ConnectedURL)
	}
	if node < 0 {
		return nil, fmt.Errorf("%w: partition: leader %s reports no known node (connected to %q)", ErrInfrastructure, v.id, last.ConnectedURL)
	}
	name := e.nodes()[node].Name()
	inj := e.begin(ClassPartition, v.id)
	cut := e.liveMembers()
	for _, m := range cut {
		m.proxies[node].Blackhole()
	}
	e.tl.add("partition: node %s cut from all %d candidates (leader %s is connected to it)", name, len(cut), v.id)
	moved := func(l ledger, to time.Time) bool {
		for _, b := range l.beaconsOf(v.id, inj.start, to) {
			if n := v.nodeOf(b.ConnectedURL); n >= 0 && n != node && b.Reconnects > last.Reconnects {
				return true
			}
		}
		return false
	}
	_, err := e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool {
		return l.demoted(v.id, inj.start, now) || moved(l, now)
	})
	if rest := e.t.TTL - time.Since(inj.start); err == nil && rest > 0 {
		err = hold(ctx, rest) // keep the node away long enough for leases held through it to lapse
	}
	for _, m := range cut {
		m.proxies[node].Heal()
	}
	inj.healed = time.Now()
	e.tl.add("partition: node %s reachable again", name)
	if err != nil {
		return nil, err
	}
	inj.detail = fmt.Sprintf("node %s cut from %d candidates for %v", name, len(cut), inj.healed.Sub(inj.start).Round(time.Millisecond))
	inj.effect = func(ev evidence) error {
		return failIf(check{
			ev.led.demoted(v.id, inj.start, inj.healed) || moved(ev.led, inj.healed),
			fmt.Sprintf("leader %s neither demoted nor reconnected to another node while node %s was cut off", v.id, name),
		})
	}
	return inj, nil
}

// injectLatency delays every candidate's link for one to two TTLs.
func injectLatency(ctx context.Context, e *env) (*injection, error) {
	delay := latencyMinDelay + e.upTo(latencyMaxExtra)
	jitter := e.upTo(delay / 2)
	dur := e.t.TTL + e.upTo(e.t.TTL)
	inj := e.begin(ClassLatency, "")
	victims := e.liveMembers()
	for _, m := range victims {
		for _, p := range m.proxies {
			p.SetLatency(delay, jitter)
		}
	}
	e.tl.add("latency: every link delayed by %v + up to %v jitter, for %v", delay, jitter, dur)
	err := hold(ctx, dur)
	for _, m := range victims {
		for _, p := range m.proxies {
			p.Heal()
		}
	}
	inj.healed = time.Now()
	e.tl.add("latency: links healed")
	if err != nil {
		return nil, err
	}
	inj.detail = fmt.Sprintf("delay %v jitter %v for %v", delay, jitter, dur)
	inj.effect = latencyEffect(inj, ids(victims), delay)
	return inj, nil
}

// latencyEffect: every delayed candidate measured a NATS round trip of at
// least twice the added delay.
func latencyEffect(inj *injection, victims []string, delay time.Duration) func(evidence) error {
	return func(ev evidence) error {
		// A round trip measured just before the heal is reported one beacon later.
		to := inj.healed.Add(2 * ev.t.BeaconInterval)
		var checks []check
		for _, id := range victims {
			var worst time.Duration
			for _, b := range ev.led.beaconsOf(id, inj.start, to) {
				worst = max(worst, b.MaxRTT)
			}
			checks = append(checks, check{worst >= 2*delay, fmt.Sprintf(
				"%s never measured a round trip of at least %v while delayed (longest %v)", id, 2*delay, worst)})
		}
		return failIf(checks...)
	}
}
