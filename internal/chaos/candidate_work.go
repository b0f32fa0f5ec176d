package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// candidate is the state of one candidate process shared by its election
// callbacks, its beacon loop and its round-trip probe.
type candidate struct {
	cfg      candidateConfig
	nc       *nats.Conn
	link     *linkState
	client   *http.Client
	election leadership.Election // set before any loop or callback runs
	// real maps a time of the election's clock to real time, for the
	// deadline it reports; the identity unless the clock drifts.
	real func(time.Time) time.Time

	logMu sync.Mutex // serializes lines on log
	log   io.Writer

	term        atomic.Pointer[string] // the token of the live OnPromote, nil if none
	healthy     atomic.Bool
	maxRTT      atomic.Int64 // nanoseconds, since the last beacon
	promotions  atomic.Int64
	demotions   atomic.Int64
	lastReason  atomic.Pointer[string]
	writes      atomic.Int64
	writeErrors atomic.Int64
}

// newCandidate makes the candidate's shared state; link is what watchLink
// keeps of nc's link (nc may be nil in tests that only write).
func newCandidate(cfg candidateConfig, nc *nats.Conn, link *linkState, logw io.Writer) *candidate {
	c := &candidate{cfg: cfg, nc: nc, link: link, log: logw, client: &http.Client{Timeout: requestTimeout}, real: func(t time.Time) time.Time { return t }}
	c.healthy.Store(true)
	return c
}

func (c *candidate) logf(format string, args ...any) {
	c.logMu.Lock()
	defer c.logMu.Unlock()
	fmt.Fprintf(c.log, time.Now().Format("15:04:05.000")+" "+c.cfg.ID+" "+format+"\n", args...)
}

// check is the election's HealthChecker: it reports what the harness said
// in its last beacon reply.
func (c *candidate) check(context.Context) error {
	if !c.healthy.Load() {
		return errToldUnhealthy
	}
	return nil
}

// lead is OnPromote: the leader's work. Until the term's context ends it
// checks that context, works for a write interval, then writes to the
// fenced resource under the term's token without checking again. That
// check-then-act gap is the one fencing exists for: a leader frozen during
// its work, or one whose term ends meanwhile, still sends its write, and
// only the resource stands between that stale write and the data.
func (c *candidate) lead(ctx context.Context, tok leadership.Token) {
	raw := tok.String()
	c.term.Store(&raw)
	defer c.term.Store(nil)
	c.promotions.Add(1)
	c.logf("promoted %s", raw)
	for ctx.Err() == nil {
		work := time.NewTimer(c.writeInterval())
		<-work.C // the work is not interrupted by the end of the term
		c.write(raw)
	}
}

// demoted is OnDemote.
func (c *candidate) demoted(_ context.Context, reason leadership.DemoteReason) {
	r := string(reason)
	c.lastReason.Store(&r)
	c.demotions.Add(1)
	c.logf("demoted: %s", r)
}

func (c *candidate) writeInterval() time.Duration {
	lo, hi := c.cfg.Timing.WriteIntervalMin, c.cfg.Timing.WriteIntervalMax
	return lo + rand.N(hi-lo+1)
}

// write sends one fenced write; a refusal is the resource doing its job.
func (c *candidate) write(raw string) {
	c.writes.Add(1)
	var reply writeReply
	if err := c.post(writePath, writeRequest{Candidate: c.cfg.ID, Token: raw, SentAt: time.Now()}, &reply); err != nil {
		c.writeErrors.Add(1)
		c.logf("write under %s: %v", raw, err)
		return
	}
	if !reply.Accepted {
		c.logf("write under %s refused: the resource holds %s", raw, reply.Highest)
	}
}

// beaconLoop reports status every BeaconInterval and takes the harness's
// health instruction from the reply, until ctx ends.
func (c *candidate) beaconLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.Timing.BeaconInterval)
	defer t.Stop()
	for ctx.Err() == nil {
		var reply beaconReply
		if err := c.post(beaconPath, c.status(), &reply); err == nil {
			c.healthy.Store(reply.Healthy)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *candidate) status() beacon {
	st := c.election.Status()
	b := beacon{
		Candidate:        c.cfg.ID,
		PID:              os.Getpid(),
		SentAt:           time.Now(),
		Ready:            st.Ready,
		Leading:          st.IsLeader(),
		LastRenewal:      c.realOrZero(st.LeaseProven()),
		BreakerOpenUntil: c.realOrZero(st.Acquisition.BreakerOpenUntil),
		Connected:        c.link.connected.Load(),
		ConnectedURL:     c.link.URL(),
		Reconnects:       c.link.reconnects.Load(),
		MaxRTT:           time.Duration(c.maxRTT.Swap(0)),
		Promotions:       int(c.promotions.Load()),
		Demotions:        int(c.demotions.Load()),
		Writes:           int(c.writes.Load()),
		WriteErrors:      int(c.writeErrors.Load()),
	}
	if b.Leading {
		b.Token = st.Lease.Token.String()
		b.LeaseDeadline = c.realOrZero(st.LeaseDeadline())
	}
	if t := c.term.Load(); t != nil {
		b.Term = *t
	}
	if r := c.lastReason.Load(); r != nil {
		b.LastDemoteReason = *r
	}
	return b
}

// realOrZero is t in real time; the zero time (never renewed) stays zero.
func (c *candidate) realOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return c.real(t)
}

// rttLoop measures the NATS round trip through the candidate's link, so the
// harness can see that injected latency was really felt, until ctx ends.
//
// Both loops check ctx before each round, not only in their select: after a
// round as long as a cut link makes a flush (its timeout, plus waits for
// the client's lock, which it holds through each reconnect attempt), a tick
// is pending too, and select picks among ready cases at random, so a
// candidate stopped while cut off could go round again, for seconds each
// time. The goroutines of two candidates that outlived the harness's wait
// for their exit showed just that: the election stopped, the process
// waiting for this loop, the loop in a flush.
func (c *candidate) rttLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.Timing.BeaconInterval)
	defer t.Stop()
	for ctx.Err() == nil {
		start := time.Now()
		if err := c.nc.FlushTimeout(rttTimeout); err == nil {
			storeMax(&c.maxRTT, int64(time.Since(start)))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// post sends v as JSON to the resource and decodes the reply into out.
func (c *candidate) post(path string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	resp, err := c.client.Post(c.cfg.ResourceURL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// storeMax raises a to v unless it already holds more.
func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}
