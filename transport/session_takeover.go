package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Taking over a lease whose session ended. A session lease's key has no TTL,
// so a revision-checked write of it would succeed while its holder's session
// is alive: the check that the key is unchanged is not enough. The takeover
// is an atomic batch with two messages to the role's key, which the stream
// leader applies together or not at all (takeovers that come together share
// a batch, each with its two messages: see session_batch.go):
//
//  1. expects the role's key at the revision the taker saw (the lease is
//     unchanged), and carries no value (takeoverCheckHeader marks it; the
//     watch hub skips it, and the second message supersedes it at once);
//  2. expects the session key's last message to be the one the taker read
//     as the session's end (an expiry or delete marker, or no message at
//     all once the marker itself expired), and carries the new lease.
//
// A session that renewed since has a newer last message, so the batch is
// refused: the server, not a read that may lag, decides that the session
// is dead. Session keys are never reused, so a session that ended cannot
// come back and make an old end look current. The check of the role's key
// comes first because the server refuses an expectation on a subject the
// same batch has already written.

// takeoverCheckHeader marks the first message of a takeover batch.
const takeoverCheckHeader = "Baton-Takeover-Check"

// Headers of an atomic batch publish (nats-server 2.12 and newer).
const (
	hdrBatchID            = "Nats-Batch-Id"
	hdrBatchSeq           = "Nats-Batch-Sequence"
	hdrBatchCommit        = "Nats-Batch-Commit"
	hdrExpectedSubjSeq    = "Nats-Expected-Last-Subject-Sequence"
	hdrExpectedSubjSeqFor = "Nats-Expected-Last-Subject-Sequence-Subject"
)

// Error codes of the atomic batch publish.
const (
	codeAtomicPublishDisabled   jetstream.ErrorCode = 10174
	codeAtomicPublishIncomplete jetstream.ErrorCode = 10176
	codeAtomicPublishInflight   jetstream.ErrorCode = 10210
)

// bindRecord binds rec to the live session in session mode, returning the
// TTL a lease's key is written with (none with a session) and the proof
// the new lease's deadline counts from (zero without a session: the
// write itself). A session that could not be proven in time is a failure
// before any write, so never an unknown outcome.
func (s *JetStreamStore) bindRecord(ctx context.Context, rec *Record) (time.Duration, time.Time, error) {
	if s.session == nil {
		return rec.TTL, time.Time{}, nil
	}
	key, proof, err := s.session.bind(ctx)
	if errors.Is(err, ErrUnknownOutcome) {
		return 0, time.Time{}, fmt.Errorf("%w: the session was not proven in time (%s)", ErrTransient, err.Error()) // not %w: no write of the lease happened, so its outcome is known
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	rec.Session = key
	return 0, proof, nil
}

// create creates the role's key holding rec, with a TTL unless ttl is 0.
func (s *JetStreamStore) create(ctx context.Context, role string, rec Record, ttl time.Duration, proof time.Time) (Lease, error) {
	data, err := EncodeRecord(rec)
	if err != nil {
		return Lease{}, fmt.Errorf("acquire %q: %w: %w", role, ErrPermanent, err)
	}
	var opts []jetstream.KVCreateOpt
	if ttl != 0 {
		opts = append(opts, jetstream.KeyTTL(ttl))
	}
	var rev uint64
	err = guarded(ctx, s.nc, keyRefusal(s.subject+role), func(ctx context.Context) (err error) {
		rev, err = s.kv.Create(ctx, role, data, opts...)
		return err
	})
	if err == nil {
		return Lease{Role: role, Term: rev, Revision: rev, Record: rec, Proof: proof}, nil
	}
	err = classify("acquire", role, opWrite, err)
	if errors.Is(err, ErrConflict) && ctx.Err() != nil {
		// Create over a delete or expiry marker reads the marker before it
		// retries; when that read runs out of time, nats.go reports the
		// first attempt's "wrong last sequence" as ErrKeyExists although
		// the key may be free. A conflict nobody proved is transient.
		return Lease{}, fmt.Errorf("acquire %q: %w: create reported the key taken but ran out of time to tell: %w", role, ErrTransient, ctx.Err())
	}
	return Lease{}, err
}

// takeOver writes rec to role's key, held at revision under the session
// sessionKey, in one atomic batch of the store's takeover queue that the
// server applies only if the key is unchanged and the session's last
// message is still end, and returns the lease's new revision. The new
// lease has a TTL unless ttl is 0. A refused batch is not tried again
// here: the election reads the key back and decides (the session's end
// moves when its marker expires).
func (s *JetStreamStore) takeOver(ctx context.Context, role string, rec Record, revision uint64, sessionKey string, end uint64, ttl time.Duration) (uint64, error) {
	data, err := EncodeRecord(rec)
	if err != nil {
		return 0, fmt.Errorf("acquire %q: %w: %w", role, ErrPermanent, err)
	}
	claim := takeoverClaim{role: role, data: data, revision: revision, session: sessionKey, end: end, ttl: ttl}
	seq, err := s.takeovers.submit(ctx, claim)
	if err != nil {
		return 0, takeoverError(role, err)
	}
	return seq, nil
}

// takeoverError classifies the failure of a takeover batch for role. The
// queue's own errors (a turn that never came, an answer that did not come
// in time) are classified already and pass unchanged.
func takeoverError(role string, err error) error {
	var apiErr *jetstream.APIError
	switch {
	case (errors.Is(err, ErrTransient) || errors.Is(err, ErrUnknownOutcome)) && !errors.As(err, &apiErr):
		return fmt.Errorf("acquire %q: %w", role, err)
	case errors.As(err, &apiErr) && apiErr.ErrorCode == codeAtomicPublishDisabled:
		return fmt.Errorf("acquire %q: %w: %w: sessions need atomic batch publish on the bucket's stream (AllowAtomicPublish): %w",
			role, ErrPermanent, ErrBucketMisconfigured, err)
	case errors.As(err, &apiErr) && apiErr.ErrorCode == codeWrongLastSequenceConstant:
		// Another batch expecting the same session's end is in flight (two
		// roles of one dead session taken at once): nothing was written.
		return fmt.Errorf("acquire %q: %w: a takeover of the same session is in flight: %w", role, ErrTransient, err)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode == codeAtomicPublishInflight || apiErr.ErrorCode == codeAtomicPublishIncomplete):
		// The server had too many batches open (the first message was
		// refused, so the commit found its batch incomplete): nothing was
		// written.
		return fmt.Errorf("acquire %q: %w: the server has too many takeovers open: %w", role, ErrTransient, err)
	}
	return classify("acquire", role, opWrite, err)
}

// parseBatchAck reads the server's answer to a batch's commit.
func parseBatchAck(data []byte) (uint64, error) {
	var ack struct {
		Error    *jetstream.APIError `json:"error"`
		Sequence uint64              `json:"seq"`
	}
	if err := json.Unmarshal(data, &ack); err != nil {
		return 0, fmt.Errorf("batch acknowledgement %q: %w", data, err)
	}
	if ack.Error != nil {
		return 0, ack.Error
	}
	if ack.Sequence == 0 {
		return 0, fmt.Errorf("batch acknowledgement %q has no sequence", data)
	}
	return ack.Sequence, nil
}
