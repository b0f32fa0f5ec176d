package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
)

// runHelp is `baton run --help`'s text.
const runHelp = `Campaigns for role R and runs CMD only while this process leads it.

On promotion CMD starts with BATON_ROLE, BATON_TERM (the term's revision) and
BATON_TOKEN (the fencing token, role/term/nonce/holder) added to its
environment; pass BATON_TOKEN with every write CMD makes to a resource that
checks fencing tokens. CMD's stdout and stderr are baton's; its stdin is
empty. On Unix it runs in a process group of its own, under a small
supervisor process (baton's own executable), and signals go to the whole
group. CMD never outlives baton: however baton dies (kill -9, the OOM
killer), the supervisor kills the group with SIGKILL. When CMD exits,
whatever it left running in its group is killed too. (On Windows CMD is
baton's child only, and is not killed when baton dies.)

When leadership ends (lost renewals, a lost connection, a resign), CMD gets
SIGTERM at once and SIGKILL if it is still running after --grace; baton
waits for it to exit before it reports the demotion and campaigns again. A
resign, or a stop by SIGINT or SIGTERM, releases the lease only after that,
so a successor's CMD starts only once this one has exited. When renewals
fail, the leader demotes itself on its own clock early enough that CMD has
exited, --grace and 250ms for SIGKILL included, before the server can give
the lease to a successor, allowing for the clock drift and server clock
skew leadership.Config assumes: at the defaults (--ttl 10s, --grace 2s) it
demotes itself 6.06s after the last renewal it sent that succeeded, so CMD
has exited by 8.31s, while the server can free the lease no sooner than
10s after that renewal, less that drift and skew. A --grace that does not
fit the --ttl that way is refused, with the largest that does. This rests on
the clocks keeping those bounds: have CMD check its fencing token where an
overlap must never happen.

Signals: SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH sent to baton are
passed to CMD. SIGINT and SIGTERM are passed to CMD and also stop baton: it
waits for CMD to exit (SIGKILL after --grace), then releases the lease and
exits.

When CMD exits while this process leads, baton releases the lease; then,
with --on-exit release (the default), baton exits with CMD's status, and
with --on-exit campaign it campaigns again and starts CMD on its next
promotion.

Exit status: CMD's status (128+N if a signal N killed it) when CMD exited
with --on-exit release or baton was stopped by SIGINT/SIGTERM while CMD
ran; 0 when stopped by a signal while CMD did not run; 1 when the election
could not run (connection, permissions, bucket); 2 for a usage error.

Other instances can ask this one to resign with "baton resign --role R"
(see "baton resign --help" for how to restrict who may).
`

// runOptions are `baton run`'s settings.
type runOptions struct {
	conn     connFlags
	bucket   string
	role     string
	instance string
	ttl      time.Duration
	priority int
	grace    time.Duration
	onExit   string
	argv     []string
}

// runMain is `baton run`.
func runMain(args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := newFlagSet("run", "--role R [flags] -- CMD ARGS...", runHelp, stderr)
	o.conn.register(fs)
	fs.StringVar(&o.bucket, "bucket", leadership.DefaultBucket, "the KV bucket holding the leases")
	fs.StringVar(&o.role, "role", "", "the role to lead (required)")
	fs.StringVar(&o.instance, "instance", "", "this candidate's instance ID (default hostname-pid-random)")
	fs.DurationVar(&o.ttl, "ttl", leadership.DefaultTTL, "the lease's time to live: whole seconds, at least 1s")
	fs.IntVar(&o.priority, "priority", 0, "a higher priority campaigns sooner when the lease is freed")
	fs.DurationVar(&o.grace, "grace", 0, "time between SIGTERM and SIGKILL when CMD must stop (default --ttl/5: 2s at --ttl 10s)")
	fs.StringVar(&o.onExit, "on-exit", "release", `when CMD exits while leading: "release" (exit with its status) or "campaign" (run it again when next promoted)`)
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	o.argv = fs.Args()
	switch {
	case o.role == "":
		return usageError(fs, "--role is required")
	case len(o.argv) == 0:
		return usageError(fs, "no command to run: baton run --role R -- CMD ARGS...")
	case o.onExit != "release" && o.onExit != "campaign":
		return usageError(fs, "--on-exit %q: want release or campaign", o.onExit)
	case o.grace < 0:
		return usageError(fs, "--grace %v must not be negative", o.grace)
	}
	if err := checkTTL(o.ttl); err != nil {
		return usageError(fs, "%v", err)
	}
	graceSet := false
	fs.Visit(func(f *flag.Flag) { graceSet = graceSet || f.Name == "grace" })
	if !graceSet {
		o.grace = defaultGrace(o.ttl)
	}
	if err := checkGrace(o.ttl, o.grace, !graceSet); err != nil {
		return usageError(fs, "%v", err)
	}
	if _, err := exec.LookPath(o.argv[0]); err != nil {
		return usageError(fs, "%v", err)
	}
	return run(o, stderr)
}

// run campaigns and runs the command until a signal or the command's exit
// ends it.
func run(o runOptions, stderr io.Writer) int {
	say := func(format string, args ...any) { fmt.Fprintf(stderr, "baton: "+format+"\n", args...) }
	self, err := os.Executable()
	if err != nil {
		say("cannot find baton's own executable to supervise %s: %v", o.argv[0], err)
		return exitFailed
	}
	nc, err := o.conn.connect("baton run " + o.role)
	if err != nil {
		say("%v", err)
		return exitFailed
	}
	defer nc.Close()
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer system.Shutdown()
	e, err := leadership.NewElection(system, leadership.Config{
		Conn: nc, Role: o.role, InstanceID: o.instance, TTL: o.ttl, Priority: o.priority,
		Bucket:   leadership.Bucket{Name: o.bucket},
		Requests: leadership.Requests{Control: true},
		Timings:  leadership.Timings{WorkStopBudget: workStopBudget(o.grace)},
	})
	if err != nil {
		say("%v", err)
		return exitUsage
	}
	c := &child{self: self, argv: o.argv, grace: o.grace, say: say}
	exited := make(chan int, 1)
	e.OnPromote(func(ctx context.Context, t leadership.Token) {
		say("leading %s, term %d (token %s): starting %s", t.Role, t.Revision, t, o.argv[0])
		if status, ok := c.runTerm(ctx, t); ok {
			exited <- status
		}
	})
	e.OnDemote(func(_ context.Context, reason leadership.DemoteReason) {
		say("demoted from %s: %s", o.role, reason)
	})
	e.OnError(func(err error) { say("warning: %v", err) })

	signals := make(chan os.Signal, 8)
	signal.Notify(signals, forwardedSignals...)
	defer signal.Stop(signals)
	say("campaigning for %s in bucket %s as %s", o.role, o.bucket, e.Status().InstanceID)
	if err := start(e, signals); err != nil {
		if errors.Is(err, errInterrupted) {
			return exitOK
		}
		say("%v", err)
		return exitFailed
	}
	return supervise(e, c, o, exited, signals, say)
}

// errInterrupted: a signal stopped baton while the election started.
var errInterrupted = errors.New("interrupted")

// start starts the election; SIGINT or SIGTERM meanwhile stops it (no
// command runs before Start returns: nothing can lead before it).
func start(e leadership.Election, signals <-chan os.Signal) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan error, 1)
	go func() { started <- e.Start(ctx) }()
	interrupted := false
	for {
		select {
		case sig := <-signals:
			if stopsBaton(sig) {
				interrupted = true
				cancel()
			}
		case err := <-started:
			switch {
			case interrupted && err == nil:
				_ = e.Stop() // started just as the signal came: release
				return errInterrupted
			case interrupted:
				return errInterrupted
			}
			return err
		}
	}
}

// supervise passes signals to the command and ends the election when asked
// to, or when the command exits under --on-exit release.
func supervise(e leadership.Election, c *child, o runOptions, exited <-chan int, signals <-chan os.Signal,
	say func(string, ...any),
) int {
	for {
		select {
		case sig := <-signals:
			if !stopsBaton(sig) {
				c.signal(sig)
				continue
			}
			say("%v: stopping", sig)
			status := c.stop(sig)
			stopElection(e, say)
			return status
		case status := <-exited:
			if o.onExit == "release" {
				say("%s exited with status %d: releasing %s", o.argv[0], status, o.role)
				stopElection(e, say)
				return status
			}
			say("%s exited with status %d: releasing %s and campaigning again", o.argv[0], status, o.role)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := e.Resign(ctx); err != nil && !errors.Is(err, leadership.ErrNotLeader) {
				say("resign: %v", err)
			}
			cancel()
		}
	}
}

// stopElection releases the lease and waits for the demotion to be
// reported.
func stopElection(e leadership.Election, say func(string, ...any)) {
	if err := e.Stop(); err != nil {
		say("stop: %v", err)
	}
}
