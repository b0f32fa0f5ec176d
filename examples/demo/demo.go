package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
)

// deadLetterThrottle is short so Proto.Actor's per-period goroutine ends
// soon after the demo stops.
const deadLetterThrottle = 10 * time.Millisecond

// run is the demo: it starts the backend and the candidates, injects faults
// on schedule and on key presses, reports every promotion, demotion and
// failover to out, and on return has stopped every election, connection
// and server it started. It returns nil when ctx ends, the duration
// passes or 'q' is pressed. keys may be nil.
func run(ctx context.Context, opts options, out io.Writer, keys <-chan byte) (err error) {
	if err := opts.validate(); err != nil {
		return err
	}
	if opts.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.duration)
		defer cancel()
	}
	be, err := startBackend(opts)
	if err != nil {
		return err
	}
	defer be.shutdown()
	obs, err := startObservability(opts)
	if err != nil {
		return err
	}
	defer obs.close()
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
		actor.WithDeadLetterThrottleInterval(deadLetterThrottle),
	))
	defer system.Shutdown()
	in := subscribe(system)
	defer in.close()

	start := time.Now()
	log := &eventLog{out: out, start: start, table: opts.table}
	b := newBoard(start, log)
	t := leadership.Config{TTL: opts.ttl}.EffectiveTimings()
	var candidates []*candidate
	defer func() { err = errors.Join(err, shutdown(candidates, in, b)) }()
	for i := range opts.candidates {
		c, err := newCandidate(system, fmt.Sprintf("node-%d", i+1), be.targets[i%len(be.targets)])
		if err != nil {
			return err
		}
		candidates = append(candidates, c)
	}
	header := fmt.Sprintf("Baton demo: %d candidates on %s; TTL %v, renew deadline %v, heartbeat %v",
		opts.candidates, be.label, opts.ttl, t.RenewDeadline, t.HeartbeatInterval)
	if obs.address != "" {
		header += fmt.Sprintf("; metrics at http://%s/metrics", obs.address)
	}
	if !opts.table {
		fmt.Fprintln(out, header)
	}
	startCandidate := func(ctx context.Context, c *candidate) error { return c.start(ctx, opts.ttl, be.replicas, obs) }
	for _, c := range candidates {
		if err := startCandidate(ctx, c); err != nil {
			return ignoreEnd(ctx, err)
		}
	}
	loop := &mainLoop{
		opts: opts, in: in, board: b, log: log, keys: keys,
		inj: &injector{candidates: candidates, board: b, log: log, ttl: opts.ttl, restart: startCandidate, recoverBy: stoppedTimer()},
	}
	if opts.table {
		loop.table = &table{out: out, header: header, candidates: candidates, board: b, log: log, every: opts.every, width: opts.width}
		loop.table.begin()
		defer loop.table.end()
	}
	err = ignoreEnd(ctx, loop.run(ctx))
	closing := candidates
	candidates = nil // shut down here, so the summary comes after the releases
	err = errors.Join(err, shutdown(closing, in, b))
	loop.finish()
	return err
}

// ignoreEnd turns an error caused by the end of ctx into a clean exit.
func ignoreEnd(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}

// stoppedTimer returns a timer that has not been started.
func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// shutdown stops the elections one role at a time, followers before the
// leader so no follower takes over a role that is being shut down, then
// closes the candidates, and logs what the stops reported.
func shutdown(candidates []*candidate, in *inbox, b *board) error {
	for _, ev := range in.drain() {
		b.observe(ev) // may still end the failover in progress
	}
	b.fault = nil
	var errs []error
	for _, c := range candidates {
		c.healAndWait()
	}
	for _, role := range roles {
		for _, leading := range []bool{false, true} {
			for _, c := range candidates {
				if c.view.leading(role) == leading {
					errs = append(errs, c.stopRole(role))
				}
			}
		}
	}
	for _, c := range candidates {
		errs = append(errs, c.close())
	}
	for _, ev := range in.drain() {
		b.observe(ev)
	}
	return errors.Join(errs...)
}

// mainLoop is run's event loop: it owns the board, the injector and the
// table, and is the only goroutine that touches them.
type mainLoop struct {
	opts      options
	in        *inbox
	board     *board
	log       *eventLog
	inj       *injector
	table     *table
	keys      <-chan byte
	nextFault time.Time
	scheduled int
}

// run serves events, the fault schedule, key presses and redraws until ctx
// ends or 'q' is pressed.
func (l *mainLoop) run(ctx context.Context) error {
	var schedule, redraw <-chan time.Time
	if l.opts.every > 0 {
		tick := time.NewTicker(l.opts.every)
		defer tick.Stop()
		schedule = tick.C
		l.nextFault = time.Now().Add(l.opts.every)
	}
	if l.table != nil {
		tick := time.NewTicker(tableRefresh)
		defer tick.Stop()
		redraw = tick.C
	}
	return l.serve(ctx, schedule, redraw)
}

// serve is the select loop of run.
func (l *mainLoop) serve(ctx context.Context, schedule, redraw <-chan time.Time) error {
	for {
		l.draw()
		select {
		case <-ctx.Done():
			return nil
		case <-l.in.ready:
			if err := l.drain(); err != nil {
				return err
			}
			if err := l.inj.recoverIfSettled(ctx); err != nil {
				return err
			}
		case <-schedule:
			kind := faultKill
			if l.scheduled%2 == 1 {
				kind = faultStop
			}
			l.scheduled++
			l.nextFault = time.Now().Add(l.opts.every)
			if err := l.fault(kind); err != nil {
				return err
			}
		case k, ok := <-l.keys:
			if !ok {
				l.keys = nil
				continue
			}
			var err error
			switch k {
			case 'k', 'K':
				err = l.fault(faultKill)
			case 's', 'S':
				err = l.fault(faultStop)
			case 'q', 'Q':
				return nil
			}
			if err != nil {
				return err
			}
		case <-l.inj.recoverBy.C:
			if err := l.inj.recover(ctx, fmt.Sprintf("no successor within %v", l.inj.recoveryWait())); err != nil {
				return err
			}
		case <-redraw:
		}
	}
}

// fault injects a fault, once the board is up to date.
func (l *mainLoop) fault(kind faultKind) error {
	if err := l.drain(); err != nil {
		return err
	}
	l.inj.inject(kind)
	return nil
}

// drain applies every queued election message. An election that failed
// (it cannot open the bucket, for example), or one whose writes are refused
// for good (no permission to publish on the bucket), ends the demo with its
// error: the demo cannot show a failover then.
func (l *mainLoop) drain() error {
	for _, ev := range l.in.drain() {
		switch m := ev.msg.(type) {
		case *leadership.Failed:
			return fmt.Errorf("election %s of %s failed: %w", m.Role, m.InstanceID, m.Err)
		case *leadership.Warning:
			if errors.Is(m.Err, leadership.ErrPermissionDenied) {
				return fmt.Errorf("election %s of %s cannot make progress: %w", m.Role, m.InstanceID, m.Err)
			}
			continue
		}
		l.board.observe(ev)
	}
	return nil
}

// draw redraws the table, in table mode.
func (l *mainLoop) draw() {
	if l.table != nil {
		l.table.draw(time.Now(), l.nextFault, l.inj.injected)
	}
}

// finish prints the summary below the last frame or log line.
func (l *mainLoop) finish() {
	l.draw()
	out := l.log.out
	if l.table != nil {
		for _, fo := range l.board.failovers {
			fmt.Fprintf(out, "%s: %s -> %s, term %d, failover %s after %s\n", fo.role, fo.victim, fo.successor, fo.term, fmtDur(fo.took), fo.kind)
		}
	}
	for _, s := range l.board.summary(time.Now(), l.inj.injected) {
		fmt.Fprintln(out, s)
	}
}
