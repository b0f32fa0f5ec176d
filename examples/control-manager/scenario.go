package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// Scenario sizes.
const (
	// warmWrites is how many writes the first leader makes before it stalls.
	warmWrites = 3
	// successorWrites is how many writes the successor makes before the
	// stalled write is let go, and again before the end.
	successorWrites = 2
	// deadLetterThrottle is short so Proto.Actor's per-period goroutine ends
	// soon after the example stops.
	deadLetterThrottle = 10 * time.Millisecond
)

// report is what the scenario observed, for the summary and the tests.
type report struct {
	// first and second are the terms before and after the failover.
	first, second leadership.Token
	// demotedAfter is from the cut to the first leader's self-demotion, and
	// failover from the cut to the successor's promotion.
	demotedAfter, failover time.Duration
	// value is the resource's final value; accepted and rejected are its
	// writes, in order.
	value              string
	accepted, rejected []write
}

// run plays the scenario: managers contest the role; the leader runs its
// control loop; then it stalls with a write in hand while its link is cut
// silently; it demotes itself, a successor is promoted and writes; the
// stalled write arrives late and the resource rejects it. run stops every
// election, connection and server it started before it returns. When ctx
// ends early, run stops cleanly and returns ctx's error.
func run(ctx context.Context, opts options, out io.Writer) (rep report, err error) {
	if err := opts.validate(); err != nil {
		return report{}, err
	}
	target, label, shutdownServer, err := startServer(opts)
	if err != nil {
		return report{}, err
	}
	defer shutdownServer()
	j := newJournal(out, time.Now())
	defer j.close()
	res := &resource{}
	var managers []*manager
	defer func() { err = errors.Join(err, stopAll(managers)) }()
	for i := range opts.managers {
		m, err := newManager(opts, fmt.Sprintf("cm-%d", i+1), target, res, j)
		if err != nil {
			return report{}, err
		}
		managers = append(managers, m)
	}
	tm := opts.config("").EffectiveTimings()
	j.note("%d control managers on %s contest %q; TTL %v, renew deadline %v; the leader writes every %v",
		opts.managers, label, role, opts.ttl, tm.RenewDeadline, opts.interval)
	for _, m := range managers {
		if err := m.election.Start(ctx); err != nil {
			return report{}, err
		}
	}
	rep, err = failover(ctx, opts, managers, j)
	if err != nil {
		return rep, err
	}
	stopping := managers
	managers = nil // stopped here, so the summary comes after the releases
	if err := stopAll(stopping); err != nil {
		return rep, err
	}
	rep.value, _, rep.accepted, rep.rejected = res.snapshot()
	for _, line := range rep.summary() {
		fmt.Fprintln(out, line)
	}
	return rep, nil
}

// summary describes the resource's writes per term.
func (r report) summary() []string {
	count := func(ws []write, t leadership.Token) int {
		n := 0
		for _, w := range ws {
			if w.token == t {
				n++
			}
		}
		return n
	}
	return []string{
		fmt.Sprintf("resource: final value %q; accepted %d writes (term %d: %d, term %d: %d), rejected %d (term %d: %d)",
			r.value, len(r.accepted), r.first.Revision, count(r.accepted, r.first), r.second.Revision, count(r.accepted, r.second),
			len(r.rejected), r.first.Revision, count(r.rejected, r.first)),
		fmt.Sprintf("failover: %s demoted itself %v after the cut; %s was promoted %v after the cut",
			r.first.Holder, r.demotedAfter.Round(time.Millisecond), r.second.Holder, r.failover.Round(time.Millisecond)),
	}
}

// failover runs the scenario's steps once the managers campaign.
func failover(ctx context.Context, opts options, managers []*manager, j *journal) (report, error) {
	var rep report
	wait := opts.patience()
	p, err := j.await(ctx, 0, 1, wait, "a first leader", kindIs(entryPromoted))
	if err != nil {
		return rep, err
	}
	rep.first = p.token
	leader := byName(managers, p.who)
	if leader == nil {
		return rep, fmt.Errorf("promoted %q is none of the managers", p.who)
	}
	if _, err := j.await(ctx, 0, warmWrites, wait, "the first leader's writes", wroteWith(entryAccepted, rep.first)); err != nil {
		return rep, err
	}

	held := leader.stall.pause()
	select {
	case <-held:
	case <-time.After(wait):
		return rep, fmt.Errorf("%w: waited %v for %s's loop to stall", errTimeout, wait, leader.name)
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	from := j.len()
	cutAt := time.Now()
	leader.cut()
	j.note("%s stalls with its next write in hand (as in a long GC pause), and its link is cut silently", leader.name)

	d, err := j.await(ctx, from, 1, wait, leader.name+"'s self-demotion", func(e entry) bool { return e.kind == entryDemoted && e.token == rep.first })
	if err != nil {
		return rep, err
	}
	rep.demotedAfter = d.at.Sub(cutAt)
	j.note("%s demoted itself %v after the cut, before its lease could expire; its loop's context is cancelled, but the loop is stalled past its check",
		leader.name, rep.demotedAfter.Round(time.Millisecond))
	next, err := j.await(ctx, from, 1, wait, "a successor", kindIs(entryPromoted))
	if err != nil {
		return rep, err
	}
	rep.second, rep.failover = next.token, next.at.Sub(cutAt)
	j.note("failover: %s promoted %v after the cut; term %d supersedes term %d: %v",
		next.who, rep.failover.Round(time.Millisecond), rep.second.Revision, rep.first.Revision, rep.second.Supersedes(rep.first))
	if _, err := j.await(ctx, from, successorWrites, wait, "the successor's writes", wroteWith(entryAccepted, rep.second)); err != nil {
		return rep, err
	}

	from = j.len()
	j.note("%s resumes: its stalled write with term %d reaches the resource late", leader.name, rep.first.Revision)
	leader.stall.release()
	if _, err := j.await(ctx, from, 1, wait, "the late write's rejection", wroteWith(entryRejected, rep.first)); err != nil {
		return rep, err
	}
	leader.heal()
	j.note("%s's link is restored; it rejoins as a candidate", leader.name)
	if _, err := j.await(ctx, from, successorWrites, wait, "more of the successor's writes", wroteWith(entryAccepted, rep.second)); err != nil {
		return rep, err
	}
	return rep, nil
}

// startServer starts the embedded server, or returns the external one.
func startServer(opts options) (target, label string, shutdown func(), err error) {
	if opts.natsURL != "" {
		return opts.natsURL, "external NATS " + opts.natsURL, func() {}, nil
	}
	srv, err := natstest.StartServer(natstest.DefaultOptions())
	if err != nil {
		return "", "", nil, fmt.Errorf("start embedded server: %w", err)
	}
	return srv.URL(), "an embedded JetStream server", srv.Shutdown, nil
}

// stopAll heals cut links so releases reach the server, stops the
// followers, then the leader (so no follower takes over at the end), then
// closes every manager.
func stopAll(managers []*manager) error {
	var errs []error
	for _, m := range managers {
		if m.cutOff {
			m.heal()
		}
	}
	for _, leading := range []bool{false, true} {
		for _, m := range managers {
			if m.election.Status().Leading == leading {
				errs = append(errs, m.stop())
			}
		}
	}
	for _, m := range managers {
		m.close()
	}
	return errors.Join(errs...)
}

// byName returns the manager called name.
func byName(managers []*manager, name string) *manager {
	for _, m := range managers {
		if m.name == name {
			return m
		}
	}
	return nil
}

// kindIs matches entries of kind k.
func kindIs(k entryKind) func(entry) bool {
	return func(e entry) bool { return e.kind == k }
}

// wroteWith matches writes of kind k made with token t.
func wroteWith(k entryKind, t leadership.Token) func(entry) bool {
	return func(e entry) bool { return e.kind == k && e.token == t }
}
