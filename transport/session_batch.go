package transport

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Takeovers in batches. nats-server stages every atomic batch in a store of
// its own before it commits it, which on a file-backed bucket costs
// milliseconds, and it keeps at most 50 batches open per stream. When an
// instance with many leases dies, its followers would queue up for that
// one by one, or be refused and back off. So a store sends the takeovers
// it is asked for at about the same time as one batch: first a check of
// every role's key at the revision seen, then every claim, each expecting
// its own session's end (the server checks every expectation before any
// message is stored, so the rules of takeOver hold for each role). The
// messages of a batch take consecutive revisions, so claim i of n gets the
// commit's revision minus n-1-i. A batch refused because one of its roles
// moved on is sent again one role at a time, so the others do not pay for
// it.

// maxBatchClaims bounds the roles of one takeover batch: two messages each,
// well under the server's 1,000 messages per batch.
const maxBatchClaims = 100

// takeoverClaim is one role's part of a takeover batch.
type takeoverClaim struct {
	role     string
	data     []byte        // the new lease's record
	revision uint64        // the role's key must still be at it
	session  string        // the ended session that kept the old lease
	end      uint64        // the session key's last message must still be it
	ttl      time.Duration // the new lease's TTL, 0 for none (a session lease)
}

// takeoverQueue gathers a store's takeovers into batches, one batch in
// flight at a time.
type takeoverQueue struct {
	store   batchSender // set when the store opens, never changed
	mu      sync.Mutex  // guards waiting, busy and every waiting request's state
	waiting []*takeoverRequest
	busy    bool
	wg      sync.WaitGroup
	batches atomic.Uint64 // batches sent
}

// batchSender is what the takeover queue needs of its store: to send one
// batch. JetStreamStore implements it.
type batchSender interface {
	// sendTakeovers publishes claims as one atomic batch and returns each
	// claim's new revision.
	sendTakeovers(claims []takeoverClaim) ([]uint64, error)
}

var _ batchSender = (*JetStreamStore)(nil)

// takeoverRequest is one claim waiting for its batch.
type takeoverRequest struct {
	claim   takeoverClaim
	sent    bool // its batch went out: its outcome is the batch's
	dropped bool // its caller gave up before it was sent
	done    chan struct{}
	rev     uint64
	err     error
}

// submit queues claim and waits for its batch's answer, or for ctx. A
// claim whose ctx ends before it was sent is dropped (a transient
// failure); after it was sent, the outcome is unknown.
func (q *takeoverQueue) submit(ctx context.Context, claim takeoverClaim) (uint64, error) {
	r := &takeoverRequest{claim: claim, done: make(chan struct{})}
	q.mu.Lock()
	q.waiting = append(q.waiting, r)
	start := !q.busy
	q.busy = true
	q.mu.Unlock()
	if start {
		q.wg.Go(q.drain)
	}
	select {
	case <-r.done:
		return r.rev, r.err
	case <-ctx.Done():
	}
	q.mu.Lock()
	sent := r.sent
	r.dropped = !sent
	q.mu.Unlock()
	if !sent {
		return 0, fmt.Errorf("%w: waited for a takeover batch: %w", ErrTransient, ctx.Err())
	}
	return 0, fmt.Errorf("%w: takeover batch sent, no answer in time: %w", ErrUnknownOutcome, ctx.Err())
}

// drain sends batches until nobody waits.
func (q *takeoverQueue) drain() {
	for {
		batch := q.next()
		if len(batch) == 0 {
			return
		}
		q.send(batch)
	}
}

// next takes the next batch off the queue: up to maxBatchClaims requests
// still wanted, at most one per role. An empty batch means the queue is
// idle again.
func (q *takeoverQueue) next() []*takeoverRequest {
	q.mu.Lock()
	defer q.mu.Unlock()
	var batch, rest []*takeoverRequest
	roles := map[string]bool{}
	for _, r := range q.waiting {
		switch {
		case r.dropped:
		case len(batch) == maxBatchClaims || roles[r.claim.role]:
			rest = append(rest, r)
		default:
			roles[r.claim.role], r.sent = true, true
			batch = append(batch, r)
		}
	}
	q.waiting = rest
	if len(batch) == 0 {
		q.busy = false
	}
	return batch
}

// send sends one batch and answers its requests. A batch of several that a
// role's check refused is sent again one role at a time.
func (q *takeoverQueue) send(batch []*takeoverRequest) {
	claims := make([]takeoverClaim, len(batch))
	for i, r := range batch {
		claims[i] = r.claim
	}
	q.batches.Add(1)
	revs, err := q.store.sendTakeovers(claims)
	// Refused by one of its expectations (a role's key or a session that
	// moved on): nothing was written, and the other claims may still hold.
	if err != nil && len(batch) > 1 && wrongLastSequence(err) {
		for _, r := range batch {
			q.send([]*takeoverRequest{r})
		}
		return
	}
	for i, r := range batch {
		if err == nil {
			r.rev = revs[i]
		}
		r.err = err
		close(r.done)
	}
}

// wait waits for the batch in flight, if any.
func (q *takeoverQueue) wait() { q.wg.Wait() }

// sendTakeovers implements batchSender, bounded by the store's operation
// timeout.
func (s *JetStreamStore) sendTakeovers(claims []takeoverClaim) ([]uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opTimeout)
	defer cancel()
	batch, n := randomID(), len(claims)
	msgs := make([]*nats.Msg, 0, 2*n)
	subjects := make(map[string]bool, n)
	for _, c := range claims {
		check := nats.NewMsg(s.subject + c.role)
		check.Header.Set(hdrExpectedSubjSeq, strconv.FormatUint(c.revision, 10))
		check.Header.Set(takeoverCheckHeader, "1")
		msgs = append(msgs, check)
		subjects[check.Subject] = true
	}
	for _, c := range claims {
		claim := nats.NewMsg(s.subject + c.role)
		claim.Data = c.data
		claim.Header.Set(hdrExpectedSubjSeq, strconv.FormatUint(c.end, 10))
		claim.Header.Set(hdrExpectedSubjSeqFor, s.subject+c.session)
		if c.ttl != 0 {
			claim.Header.Set(jetstream.MsgTTLHeader, c.ttl.String())
		}
		msgs = append(msgs, claim)
	}
	for i, m := range msgs {
		m.Header.Set(hdrBatchID, batch)
		m.Header.Set(hdrBatchSeq, strconv.Itoa(i+1))
	}
	last := msgs[len(msgs)-1]
	last.Header.Set(hdrBatchCommit, "1")
	refused := func(r refusal) bool {
		return r.publish && (subjects[r.subject] || strings.HasPrefix(r.subject, jsAPIPrefix))
	}
	var seq uint64
	err := guarded(ctx, s.nc, refused, func(ctx context.Context) error {
		for _, m := range msgs[:len(msgs)-1] {
			if err := s.nc.PublishMsg(m); err != nil {
				return err
			}
		}
		reply, err := s.nc.RequestMsgWithContext(ctx, last)
		if err != nil {
			return err
		}
		seq, err = parseBatchAck(reply.Data)
		return err
	})
	if err != nil {
		return nil, err
	}
	revs := make([]uint64, n)
	for i := range revs {
		revs[i] = seq - uint64(n-1-i)
	}
	return revs, nil
}
