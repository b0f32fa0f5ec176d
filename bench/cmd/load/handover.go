package main

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// handOver gives the sampled roles a second candidate on a second
// connection (same actor system), then has each role's leader resign and
// times the other candidate's promotion. The second connection is a second
// store, so it runs after the quiet window.
func (r *rolesRun) handOver(row *rolesRow, url string) error {
	nc, err := nats.Connect(url, nats.ReconnectBufSize(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	k := len(r.sampled)
	others := make([]leadership.Election, 0, k)
	promoted := make([]chan time.Time, k)
	defer func() {
		for _, e := range others {
			_ = e.StopWithContext(context.Background(), leadership.StopOptions{KeepLease: true, NoWait: true})
		}
	}()
	for i := range k {
		e, err := leadership.NewElection(r.system, leadership.Config{Conn: nc, Role: roleName(i), InstanceID: "b", Sessions: r.sessions})
		if err != nil {
			return err
		}
		promoted[i] = make(chan time.Time, 16)
		e.OnPromote(func(context.Context, leadership.Token) { promoted[i] <- time.Now() })
		if err := e.Start(context.Background()); err != nil {
			return err
		}
		others = append(others, e)
	}
	for i := range k {
		pair := [2]leadership.Election{r.elections[i], others[i]}
		chans := [2]chan time.Time{r.sampled[i], promoted[i]}
		l, err := awaitPair(pair)
		if err != nil {
			progress("N=%d: %s: %v", row.n, roleName(i), err)
			row.handoverMisses++
			continue
		}
		drainTimes(chans[1-l])
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = pair[l].Resign(ctx)
		cancel()
		if err != nil {
			progress("N=%d: %s: resign: %v", row.n, roleName(i), err)
			row.handoverMisses++
			continue
		}
		select {
		case at := <-chans[1-l]:
			row.handovers = append(row.handovers, at.Sub(start))
		case <-time.After(30 * time.Second):
			row.handoverMisses++
		}
	}
	progress("N=%d: %d handovers, %d missed", row.n, len(row.handovers), row.handoverMisses)
	return nil
}

// awaitPair waits until one of the pair leads and both see each other in
// the registry and agree on the leader, so a handover starts settled; it
// returns the leader's index in the pair.
func awaitPair(pair [2]leadership.Election) (int, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		a, b := pair[0].Status(), pair[1].Status()
		ids := [2]string{a.InstanceID, b.InstanceID}
		for l := range pair {
			if pair[l].IsLeader() && a.Leader == ids[l] && b.Leader == ids[l] && len(a.Candidates) == 2 && len(b.Candidates) == 2 {
				return l, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the pair did not settle within a minute (leaders seen %q and %q, candidates %d and %d)", a.Leader, b.Leader, len(a.Candidates), len(b.Candidates))
		}
		time.Sleep(time.Millisecond) // the state is a snapshot: polled between timed operations
	}
}

// drainTimes forgets promotions already reported.
func drainTimes(ch chan time.Time) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
