package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go/jetstream"
)

// statusMain is `baton status`.
func statusMain(args []string, stdout, stderr io.Writer) int {
	var (
		conn    connFlags
		bucket  string
		asJSON  bool
		timeout time.Duration
	)
	fs := newFlagSet("status", "[--bucket B] [--json]", `Prints every role held in the bucket: its holder, term, fencing token and the
time left on its lease, and its live candidates in order of succession
(priority, highest first, then the longest registered). The time left is an
estimate: the server's timestamp of the lease's last write plus the lease's
TTL, minus the time on this host's clock; the server may also expire a key up
to about 250ms late. A free role is listed only while it has candidates.
`, stderr)
	conn.register(fs)
	fs.StringVar(&bucket, "bucket", leadership.DefaultBucket, "the KV bucket holding the leases")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	fs.DurationVar(&timeout, "timeout", 5*time.Second, "bound on reading the bucket")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	leases, err := readLeases(ctx, &conn, bucket)
	if err != nil {
		fmt.Fprintf(stderr, "baton status: %v\n", err)
		return exitFailed
	}
	if asJSON {
		out := struct {
			Bucket string  `json:"bucket"`
			Roles  []lease `json:"roles"`
		}{bucket, leases}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return exitOK
	}
	if len(leases) == 0 {
		fmt.Fprintf(stdout, "no role is held or contested in bucket %q\n", bucket)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tHOLDER\tTERM\tEXPIRES IN (est.)\tTOKEN\tCANDIDATES")
	for _, l := range leases {
		names := make([]string, len(l.Candidates))
		for i, c := range l.Candidates {
			names[i] = c.InstanceID
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", l.Role, orDash(l.Holder), l.Term, orDash(expiry(l)), orDash(l.Token), orDash(strings.Join(names, ",")))
	}
	_ = tw.Flush()
	return exitOK
}

// readLeases lists the held roles of bucket, sorted by role.
func readLeases(ctx context.Context, conn *connFlags, bucket string) ([]lease, error) {
	nc, err := conn.connect("baton status")
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	kv, err := openBucket(ctx, nc, bucket)
	if err != nil {
		return nil, err
	}
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list bucket %q: %w", bucket, err)
	}
	defer func() { _ = lister.Stop() }()
	byRole := map[string]*lease{}
	entry := func(role string) *lease {
		if byRole[role] == nil {
			byRole[role] = &lease{Role: role, Candidates: []candidate{}}
		}
		return byRole[role]
	}
	registered := map[string][]transport.Candidate{}
	for key := range lister.Keys() {
		e, err := kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			continue // released, expired or unregistered since it was listed
		case err != nil:
			return nil, fmt.Errorf("read %q: %w", key, err)
		}
		if strings.HasPrefix(key, transport.ReservedPrefix) {
			if role, c, ok := transport.RegistryEntry(key, e.Value(), e.Revision()); ok {
				registered[role] = append(registered[role], c)
				entry(role)
			}
			continue
		}
		l := leaseOf(e, time.Now())
		l.Candidates = entry(key).Candidates
		*entry(key) = l
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("list bucket %q: %w", bucket, ctx.Err())
	}
	leases := make([]lease, 0, len(byRole))
	for role, l := range byRole {
		cs := registered[role]
		sort.Slice(cs, func(i, j int) bool { return cs[i].Before(cs[j]) })
		for _, c := range cs {
			l.Candidates = append(l.Candidates, candidate{InstanceID: c.InstanceID, Priority: c.Priority, Joined: c.Joined})
		}
		leases = append(leases, *l)
	}
	sort.Slice(leases, func(i, j int) bool { return leases[i].Role < leases[j].Role })
	return leases, nil
}

// orDash prints "-" for an empty column.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// expiry is when the lease expires, as a human reads it: a duration, or
// what keeps a session lease.
func expiry(l lease) string {
	if l.Session != "" {
		return "with its session"
	}
	return l.ExpiresIn
}
