package chaos

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// crash is what a whole-cluster crash did, for its effect check.
type crash struct {
	loses      bool   // the topology's disks may lack acknowledged writes
	killed     []bool // per node: died of SIGKILL
	ackedSeq   uint64 // the probe's sequence, acknowledged just before the crash
	handedAt   time.Time
	crashedAt  time.Time
	kept       bool   // the restarted stream held the probe at ackedSeq
	restoredTo uint64 // the stream's last sequence when that was seen
	newTerm    *write // the first write of a term acquired after the restart
}

// injectClusterCrash crashes every node at once with SIGKILL and starts them
// again, after a leader handed over, so the crash forgets a renewal and a
// create if the disks lacked them.
//
// A SIGKILL cannot lose what a process already wrote to the kernel; a power
// loss loses everything not yet synced to disk. So the harness models the
// power loss from the sync setting: with "sync_interval: always" every
// acknowledged write was synced before its ack, and the stores are kept as
// the crash left them; at the default interval (2 minutes) the last sync can
// be up to 2 minutes old, and the stores are returned to an image taken
// before the handover (TakeImage), the worst case a sync at that instant
// allows. After such a loss the fenced resource's record is reset once the
// first new term wrote, as its operator must do.
func injectClusterCrash(ctx context.Context, e *env) (*injection, error) {
	c := &crash{loses: !e.pc.Servers[0].Sync().Always}
	a := e.member(e.steady.Leader)
	inj := e.begin(ClassClusterCrash, a.id)
	var img *natstest.StoreImage
	if c.loses {
		var err error
		if img, err = e.pc.TakeImage(); err != nil {
			return nil, fmt.Errorf("%w: cluster-crash: %w", ErrInfrastructure, err)
		}
		defer img.Discard()
		e.tl.add("cluster-crash: store image taken (the last sync) while %s leads under %s", a.id, inj.prev)
	}
	c.handedAt = time.Now()
	e.end(a, false)
	next, ok, err := e.nextTerm(ctx, c.handedAt, inj.prev)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: cluster-crash: no new term after %s stopped", ErrInfrastructure, a.id)
	}
	e.tl.add("cluster-crash: %s handed over to %s (%s)", a.id, next.Candidate, next.Token)
	// Let the new leader renew a few times, so the crash has renewals to forget too.
	if err := hold(ctx, 2*e.t.HeartbeatInterval); err != nil {
		return nil, err
	}
	if c.ackedSeq, err = e.writeProbe(ctx); err != nil {
		return nil, err
	}
	c.crashedAt = time.Now()
	e.killAllNodes()
	for _, s := range e.pc.Servers {
		c.killed = append(c.killed, s.KilledBySIGKILL())
	}
	e.tl.add("cluster-crash: SIGKILL every node (probe acknowledged at sequence %d)", c.ackedSeq)
	if c.loses {
		if err := e.pc.Restore(img); err != nil {
			return nil, fmt.Errorf("%w: cluster-crash: %w", ErrInfrastructure, err)
		}
		e.res.markLoss(c.crashedAt)
		e.tl.add("cluster-crash: every store returned to the image (unsynced writes lost)")
	}
	if err := e.restartNodes(e.pc.Servers...); err != nil {
		return nil, err
	}
	restarted := time.Now()
	if c.kept, c.restoredTo, err = e.probeKept(ctx, c.ackedSeq); err != nil {
		return nil, err
	}
	e.tl.add("cluster-crash: cluster back after %v; probe %s, stream at sequence %d", restarted.Sub(c.crashedAt).Round(time.Millisecond), keptOrLost(c.kept), c.restoredTo)
	if c.loses {
		if err := e.awaitNewTermWrite(ctx, c, restarted); err != nil {
			return nil, err
		}
	}
	inj.healed = time.Now()
	inj.detail = fmt.Sprintf("sync %s; probe at sequence %d before the crash %s, stream at %d after", e.pc.Servers[0].Sync(), c.ackedSeq, keptOrLost(c.kept), c.restoredTo)
	inj.effect = c.effect()
	inj.after = e.startMember
	return inj, nil
}

// nextTerm waits for the first accepted write of a term newer than prev
// since from.
func (e *env) nextTerm(ctx context.Context, from time.Time, prev leadership.Token) (write, bool, error) {
	var w write
	ok, err := e.awaitLedger(ctx, e.takeoverWait(), func(l ledger, now time.Time) bool {
		var found bool
		w, found = l.firstNewTerm(from, now, prev, "")
		return found
	})
	return w, ok, err
}

// awaitNewTermWrite waits for the first write under a token first seen
// after the restart, records it, and resets the resource's record.
func (e *env) awaitNewTermWrite(ctx context.Context, c *crash, restarted time.Time) error {
	_, err := e.awaitLedger(ctx, clusterTimeout, func(l ledger, now time.Time) bool {
		before := make(map[string]bool)
		for _, w := range l.writes {
			if w.At.Before(c.crashedAt) {
				before[w.Raw] = true
			}
		}
		i := slices.IndexFunc(l.writesIn(restarted, now), func(w write) bool { return !before[w.Raw] })
		if i >= 0 {
			w := l.writesIn(restarted, now)[i]
			c.newTerm = &w
		}
		return i >= 0
	})
	if err != nil {
		return err
	}
	e.res.reset()
	if c.newTerm == nil {
		// Not a harness failure: the election did not recover, which the
		// liveness check after the heal reports.
		e.tl.add("cluster-crash: no candidate wrote under a new term within %v of the restart; resource record reset", clusterTimeout)
		return nil
	}
	verdict := "accepted"
	if !c.newTerm.Accepted {
		verdict = "refused (the resource had seen a higher or equal revision)"
	}
	e.tl.add("cluster-crash: first write of a new term, %s by %s: %s; resource record reset", c.newTerm.Raw, c.newTerm.Candidate, verdict)
	return nil
}

// effect: every node died of SIGKILL and the cluster came back; with sync
// always no acknowledged write was lost (the probe was kept); at the
// default interval the crash did forget acknowledged writes (the probe was
// lost: the loss the class exists to show).
func (c *crash) effect() func(evidence) error {
	return func(ev evidence) error {
		checks := []check{{!slices.Contains(c.killed, false), fmt.Sprintf("not every node died of SIGKILL: %v", c.killed)}}
		if c.loses {
			checks = append(checks, check{!c.kept, fmt.Sprintf(
				"the probe acknowledged at sequence %d before the crash was still there after it (stream at %d): nothing was lost", c.ackedSeq, c.restoredTo)})
		} else {
			checks = append(checks, check{c.kept, fmt.Sprintf(
				"acknowledged writes lost: the probe acknowledged at sequence %d before the crash was gone after it (stream at %d)", c.ackedSeq, c.restoredTo)})
		}
		return failIf(checks...)
	}
}

// keptOrLost names the probe's fate.
func keptOrLost(kept bool) string {
	if kept {
		return "kept"
	}
	return "lost"
}

// streamLastSeq returns the stream's last sequence as its leader holds it.
func (e *env) streamLastSeq() (uint64, error) {
	k, err := e.pc.WaitStreamLeader(account, streamName, clusterTimeout)
	if err == nil {
		var seq uint64
		if seq, err = e.pc.LastSeq(k, account, streamName); err == nil {
			return seq, nil
		}
	}
	return 0, fmt.Errorf("%w: stream state: %w", ErrInfrastructure, err)
}

// killAllNodes sends SIGKILL to every node at once.
func (e *env) killAllNodes() {
	var wg sync.WaitGroup
	for _, s := range e.pc.Servers {
		wg.Go(s.Kill)
	}
	wg.Wait()
}
