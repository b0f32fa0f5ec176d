package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go/jetstream"
)

// change is one line of `baton watch`.
type change struct {
	Time time.Time `json:"time"`
	Role string    `json:"role"`
	// Event is "leader" (a new term began), "released" (the holder deleted
	// its lease) or "expired" (the lease ran out, or the key was purged).
	Event  string `json:"event"`
	Holder string `json:"holder,omitempty"`
	Term   uint64 `json:"term,omitempty"`
	Token  string `json:"token,omitempty"`
}

// watchMain is `baton watch`.
func watchMain(args []string, stdout, stderr io.Writer) int {
	var (
		conn   connFlags
		bucket string
		role   string
		asJSON bool
	)
	fs := newFlagSet("watch", "[--role R] [--bucket B] [--json]", `Prints the current holder of each role (or of R), then one line per leadership
change: a new term ("leader"), a released lease ("released") or an expired
one ("expired"). Renewals are not changes. It runs until interrupted
(SIGINT or SIGTERM, exit status 0).
`, stderr)
	conn.register(fs)
	fs.StringVar(&bucket, "bucket", leadership.DefaultBucket, "the KV bucket holding the leases")
	fs.StringVar(&role, "role", "", "watch only this role")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per line")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := watch(ctx, &conn, bucket, role, func(c change) { printChange(stdout, c, asJSON) }); err != nil {
		fmt.Fprintf(stderr, "baton watch: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// watch reports every leadership change of bucket (of role, when set) until
// ctx ends.
func watch(ctx context.Context, conn *connFlags, bucket, role string, report func(change)) error {
	nc, err := conn.connect("baton watch")
	if err != nil {
		return err
	}
	defer nc.Close()
	kv, err := openBucket(ctx, nc, bucket)
	if err != nil {
		return err
	}
	var w jetstream.KeyWatcher
	if role != "" {
		w, err = kv.Watch(ctx, role)
	} else {
		w, err = kv.WatchAll(ctx)
	}
	if err != nil {
		return fmt.Errorf("watch bucket %q: %w", bucket, err)
	}
	defer func() { _ = w.Stop() }()
	terms := map[string]uint64{} // role -> term last reported, 0 when free
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("watch bucket %q: the watch ended", bucket)
			}
			if e == nil {
				continue // the current values have all been delivered
			}
			if c, changed := changeOf(e, terms); changed {
				report(c)
			}
		}
	}
}

// changeOf turns an entry into a change, unless it only renews the term
// last reported for its role.
func changeOf(e jetstream.KeyValueEntry, terms map[string]uint64) (change, bool) {
	c := change{Time: e.Created(), Role: e.Key()}
	switch e.Operation() {
	case jetstream.KeyValuePut:
		l := leaseOf(e, time.Now())
		if terms[c.Role] == l.Term {
			return c, false
		}
		terms[c.Role] = l.Term
		c.Event, c.Holder, c.Term, c.Token = "leader", l.Holder, l.Term, l.Token
	case jetstream.KeyValueDelete:
		c.Event = "released"
		delete(terms, c.Role)
	default:
		c.Event = "expired"
		delete(terms, c.Role)
	}
	return c, true
}

// printChange prints one change as a line.
func printChange(w io.Writer, c change, asJSON bool) {
	if asJSON {
		data, _ := json.Marshal(c) // plain fields always marshal
		fmt.Fprintf(w, "%s\n", data)
		return
	}
	ts := c.Time.Local().Format("15:04:05.000")
	if c.Event == "leader" {
		fmt.Fprintf(w, "%s %s: leader %s, term %d (token %s)\n", ts, c.Role, c.Holder, c.Term, c.Token)
		return
	}
	fmt.Fprintf(w, "%s %s: %s, no leader\n", ts, c.Role, c.Event)
}
