package main

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// handOver gives the first k roles a second candidate on a second
// connection (same actor system), then has each leader resign and times
// the other candidate's promotion. The second connection is a second
// store, so it runs after the quiet window.
func (r *rolesRun) handOver(row *rolesRow, url string, k int) error {
	nc, err := nats.Connect(url, nats.ReconnectBufSize(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	others := make([]leadership.Election, 0, k)
	promoted := make([]chan time.Time, k)
	defer func() {
		for _, e := range others {
			_ = e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true})
		}
	}()
	for i := range k {
		e, err := leadership.NewElection(r.system, leadership.Config{Conn: nc, Role: roleName(i), InstanceID: "b"})
		if err != nil {
			return err
		}
		promoted[i] = make(chan time.Time, 4)
		e.OnPromote(func(context.Context, leadership.Token) { promoted[i] <- time.Now() })
		if err := e.Start(context.Background()); err != nil {
			return err
		}
		others = append(others, e)
	}
	for i := range k {
		if err := awaitPair(r.elections[i], others[i]); err != nil {
			return fmt.Errorf("%s: %w", roleName(i), err)
		}
		start := time.Now()
		if err := r.elections[i].Resign(context.Background()); err != nil {
			return fmt.Errorf("%s: resign: %w", roleName(i), err)
		}
		select {
		case at := <-promoted[i]:
			row.handovers = append(row.handovers, at.Sub(start))
		case <-time.After(30 * time.Second):
			row.handoverMisses++
		}
	}
	progress("N=%d: %d handovers, %d without the other's promotion within 30s", row.n, len(row.handovers), row.handoverMisses)
	return nil
}

// awaitPair waits until leader leads and both candidates see each other
// in the registry and agree on the leader: a handover starts settled.
func awaitPair(leader, other leadership.Election) error {
	deadline := time.Now().Add(time.Minute)
	for {
		a, b := leader.Status(), other.Status()
		if leader.IsLeader() && b.Leader == a.InstanceID && len(a.Candidates) == 2 && len(b.Candidates) == 2 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("candidates did not settle within a minute (leader %q, candidates %d and %d)", b.Leader, len(a.Candidates), len(b.Candidates))
		}
		time.Sleep(time.Millisecond) // the state is a snapshot: polled between timed operations
	}
}
