package leadership_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
)

// TestParallelStartsLeadAtTheFirstAttempt starts 400 elections of as many
// roles from 16 goroutines at once, on one connection, with a 400ms
// OpTimeout. Every election must lead at its first acquisition: had their
// writes all reached the server together, those answered after OpTimeout
// would have ended with their outcome unknown and been tried again.
func TestParallelStartsLeadAtTheFirstAttempt(t *testing.T) {
	const roles, starters = 400, 16
	srv := natstest.RunServer(t)
	nc := connect(t, srv.URL())
	system := newSystem(t)
	var promoted atomic.Int64
	all := make(chan struct{})
	elections := make([]leadership.Election, roles)
	for i := range elections {
		cfg := fastConfig(nc, fmt.Sprintf("parallel-%03d", i), "a")
		cfg.Sessions = true
		e, err := leadership.NewElection(system, cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.OnPromote(func(context.Context, leadership.Token) {
			if promoted.Add(1) == roles {
				close(all)
			}
		})
		elections[i] = e
	}
	t.Cleanup(func() {
		for _, e := range elections {
			_ = e.StopWithContext(context.Background(), leadership.StopOptions{NoWait: true})
		}
	})
	next := make(chan leadership.Election)
	var wg sync.WaitGroup
	for range starters {
		wg.Go(func() {
			for e := range next {
				if err := e.Start(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, e := range elections {
		next <- e
	}
	close(next)
	wg.Wait()
	select {
	case <-all:
	case <-time.After(time.Minute):
		t.Fatalf("waited a minute for all %d elections to be promoted; %d were", roles, promoted.Load())
	}
	retried := 0
	for _, e := range elections {
		if st := e.Status(); st.Acquisition.Attempts != 1 {
			retried++
			if retried <= 3 {
				t.Errorf("%s led after %d acquisitions (last error %q), want 1", st.Role, st.Acquisition.Attempts, st.LastError)
			}
		}
	}
	if retried > 0 {
		t.Fatalf("%d of %d elections needed more than one acquisition", retried, roles)
	}
}
