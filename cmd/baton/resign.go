package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go/jetstream"
)

// resignMain is `baton resign`.
func resignMain(args []string, stdout, stderr io.Writer) int {
	var (
		conn    connFlags
		bucket  string
		role    string
		to      string
		timeout time.Duration
	)
	fs := newFlagSet("resign", "--role R [--to INSTANCE] [--bucket B]", `Asks the current leader of R to step down. Without --to it hands the lease
to the next candidate in order of succession (see baton status); with --to
it hands it to that candidate, which must be registered and live (exit
status 1 otherwise, and the leader keeps leading). It answers once the lease
is handed over; exit status 0. A leader running "baton run" hands the lease
over only once its CMD has exited, which can take that leader's --grace and
250ms more: give --timeout longer than that.

The request is sent to the leader's control subject,
  baton.ctl.<bucket>.resign.<instance>.<role>     (without --to)
  baton.ctl.<bucket>.handoff.<instance>.<role>    (with --to)
which a leader serves only when it runs with control requests on ("baton run"
always does; in Go, set leadership.Config.Requests.Control). Anyone who may
publish on it can make the leader resign, so restrict it with NATS
permissions: for example, give only operators
"publish": {"allow": ["baton.ctl.>"]}, or allow
"baton.ctl.prod.resign.*.scheduler" for role scheduler in bucket prod. ('.',
'*', '>' and '%' in an instance ID are written %2E, %2A, %3E and %25.)

Exit status 3 when the role has no leader, or its leader does not answer
(control requests off, or it lost the lease meanwhile).
`, stderr)
	conn.register(fs)
	fs.StringVar(&bucket, "bucket", leadership.DefaultBucket, "the KV bucket holding the leases")
	fs.StringVar(&role, "role", "", "the role whose leader should resign (required)")
	fs.StringVar(&to, "to", "", "the candidate to hand the lease to (default: the next in order of succession)")
	fs.DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the leader's answer")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	switch {
	case role == "":
		return usageError(fs, "--role is required")
	case fs.NArg() > 0:
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	code, err := resign(ctx, &conn, bucket, role, to, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "baton resign: %v\n", err)
	}
	return code
}

// resign finds the holder of role and asks it to resign, handing the lease
// to successor when one is named.
func resign(ctx context.Context, conn *connFlags, bucket, role, successor string, stdout io.Writer) (int, error) {
	nc, err := conn.connect("baton resign")
	if err != nil {
		return exitFailed, err
	}
	defer nc.Close()
	kv, err := openBucket(ctx, nc, bucket)
	if err != nil {
		return exitFailed, err
	}
	e, err := kv.Get(ctx, role)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return exitNoLeader, fmt.Errorf("role %q has no leader in bucket %q", role, bucket)
	case err != nil:
		return exitFailed, fmt.Errorf("read %q: %w", role, err)
	}
	l := leaseOf(e, time.Now())
	if l.Holder == leadership.ForeignHolder {
		return exitFailed, fmt.Errorf("role %q is held by something that is not a Baton lease", role)
	}
	var t leadership.Token
	if successor == "" {
		t, err = leadership.RequestResign(ctx, nc, bucket, role, l.Holder)
	} else {
		t, err = leadership.RequestHandOff(ctx, nc, bucket, role, l.Holder, successor)
	}
	switch {
	case errors.Is(err, leadership.ErrNoLeader):
		return exitNoLeader, fmt.Errorf("%w; its leader serves no control requests, or lost the lease meanwhile", err)
	case err != nil:
		return exitFailed, err
	}
	if successor != "" {
		fmt.Fprintf(stdout, "%s: %s handed term %d (token %s) to %s\n", role, t.Holder, t.Revision, t, successor)
		return exitOK, nil
	}
	fmt.Fprintf(stdout, "%s: %s resigned term %d (token %s)\n", role, t.Holder, t.Revision, t)
	return exitOK, nil
}
