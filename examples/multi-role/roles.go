package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// The roles every instance runs, and the lease bucket, apart from the
// default one so the example never touches a real deployment's leases on
// an external server.
const (
	roleEU        = "region-eu"
	roleCompactor = "region-eu/compactor"
	roleUS        = "region-us"
	bucket        = "baton_multi_role"
)

// roles lists the roles in the order they are printed.
var roles = []string{roleEU, roleCompactor, roleUS}

// duties says what the leader of each role does, for the output.
var duties = map[string]string{
	roleEU:        "routes EU traffic",
	roleCompactor: "compacts EU storage",
	roleUS:        "routes US traffic",
}

// printer writes whole lines to out from any goroutine.
type printer struct {
	mu  sync.Mutex // serializes writes
	out io.Writer
}

// say writes one line.
func (p *printer) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format+"\n", args...)
}

// roleSpecs are the roles of instance id: each has its own callbacks, and
// the compactor role has a work actor. changed is called after every
// callback, so the caller can look at the leaders again.
func roleSpecs(id string, nc *nats.Conn, p *printer, changed func()) []leadership.RoleSpec {
	spec := func(role, parent string) leadership.RoleSpec {
		return leadership.RoleSpec{
			Role:   role,
			Parent: parent,
			Config: leadership.Config{Conn: nc, Bucket: leadership.Bucket{Name: bucket}},
			OnPromote: func(_ context.Context, t leadership.Token) {
				p.say("%s leads %s (term %d): %s", id, role, t.Revision, duties[role])
				changed()
			},
			OnDemote: func(_ context.Context, r leadership.DemoteReason) {
				p.say("%s stepped down from %s: %s", id, role, r)
				changed()
			},
		}
	}
	compactor := spec(roleCompactor, roleEU)
	compactor.Work = []leadership.WorkFunc{compactorWork(id, p)}
	return []leadership.RoleSpec{spec(roleEU, ""), compactor, spec(roleUS, "")}
}

// compactorWork is the compactor role's leader work: an actor that runs
// only while its instance leads the role, fenced by the term's token.
func compactorWork(id string, p *printer) leadership.WorkFunc {
	return func(t leadership.Token) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			switch ctx.Message().(type) {
			case *actor.Started:
				p.say("%s compactor started, fenced by %s", id, t)
			case *actor.Stopped:
				p.say("%s compactor stopped", id)
			}
		})
	}
}
