package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
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

// acquireOver writes rec over the revision at which the core saw the key,
// deciding from what the key held there whether a plain revision-checked
// write is safe (a marker, an offer to rec.Holder, or a term of ours under
// our own live session that we no longer lead), or whether the takeover
// must be checked by the server against the end of the holder's session.
// A store without sessions takes over a session lease the same way: the
// hub's word that the session ended is a hint like any other.
func (s *JetStreamStore) acquireOver(ctx context.Context, role string, rec Record, revision uint64) (Lease, error) {
	ttl, proof, err := s.bindRecord(ctx, &rec)
	if err != nil {
		return Lease{}, fmt.Errorf("acquire %q: %w", role, err)
	}
	seen, err := s.contentAt(ctx, role, revision)
	if errors.Is(err, ErrNotFound) {
		return s.create(ctx, role, rec, ttl, proof) // the key moved on, or holds nothing
	}
	if err != nil {
		return Lease{}, err
	}
	held, marker := seen.Entry.Record, seen.Kind != KeyPut && seen.Kind != KeySessionEnded
	var rev uint64
	switch {
	case marker:
		rev, err = s.writeAt(ctx, role, rec, revision, ttl)
	case seen.Entry.Malformed != nil:
		return Lease{}, fmt.Errorf("acquire %q: %w: held by a foreign value: %w", role, ErrConflict, seen.Entry.Malformed)
	case held.OfferedTo != "" && held.OfferedTo == rec.Holder:
		rev, err = s.writeAt(ctx, role, rec, revision, ttl)
	case held.Session == "":
		return Lease{}, fmt.Errorf("acquire %q: %w: held by %s under its own TTL", role, ErrConflict, held.Holder)
	case held.Session == rec.Session && held.Holder == rec.Holder:
		// A term of ours that no election of ours leads any more (its
		// release failed, or its acquisition's answer was lost): only we
		// can free it while our session lives.
		rev, err = s.writeAt(ctx, role, rec, revision, ttl)
	default:
		rev, err = s.takeOver(ctx, role, rec, revision, held.Session, ttl, seen)
	}
	if errors.Is(err, ErrConflict) && marker {
		return s.create(ctx, role, rec, ttl, proof) // the marker expired, or the key moved on
	}
	if err != nil {
		return Lease{}, err
	}
	return Lease{Role: role, Term: rev, Revision: rev, Record: rec, Proof: proof}, nil
}

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

// contentAt returns what role's key held at revision: from the watch hub
// when it saw that revision, else from the stream leader. ErrNotFound says
// the key is no longer at revision (or holds nothing).
func (s *JetStreamStore) contentAt(ctx context.Context, role string, revision uint64) (KeyEvent, error) {
	if ev, ok := s.hub.keys.peek(role); ok && ev.Kind != KeyAbsent && ev.Entry.Revision == revision {
		return ev, nil
	}
	m, err := s.pushJS.GetLastMsg(streamName(s.bucket), s.subject+role, nats.Context(ctx))
	if errors.Is(err, nats.ErrMsgNotFound) {
		return KeyEvent{}, fmt.Errorf("read %q: %w", role, ErrNotFound)
	}
	if err != nil {
		return KeyEvent{}, classify("read", role, opRead, err)
	}
	if m.Sequence != revision {
		return KeyEvent{}, fmt.Errorf("read %q: %w: at revision %d, not %d", role, ErrNotFound, m.Sequence, revision)
	}
	return eventFrom(role, &nats.Msg{Header: m.Header, Data: m.Data},
		&nats.MsgMetadata{Sequence: nats.SequencePair{Stream: m.Sequence}, Timestamp: m.Time}), nil
}

// takeOver writes rec to role's key, held at revision under the session
// sessionKey, in one atomic batch that the server applies only if the key
// is unchanged and the session's last message is still its end. The end is
// the one the watch hub saw when it reported the session ended (seen), or
// else is read from the stream leader; when the batch is refused, the end
// is read from the leader and the batch tried once more if the end moved
// (the marker itself expired). Using the hub's end spares a read per
// takeover: when an instance with many leases dies, each of its followers'
// takeovers costs two messages, as a create does.
func (s *JetStreamStore) takeOver(ctx context.Context, role string, rec Record, revision uint64, sessionKey string, ttl time.Duration, seen KeyEvent) (uint64, error) {
	var end uint64
	var alive bool
	var err error
	if seen.Kind == KeySessionEnded {
		end = seen.sessionEnd
	} else {
		end, alive, err = s.sessionEnd(ctx, sessionKey)
	}
	for attempt := 0; ; attempt++ {
		switch {
		case err != nil:
			return 0, fmt.Errorf("acquire %q: %w", role, err)
		case alive:
			return 0, fmt.Errorf("acquire %q: %w: held under session %s, which is alive", role, ErrConflict, sessionKey)
		}
		var rev uint64
		rev, err = s.publishTakeover(ctx, role, rec, revision, sessionKey, end, ttl)
		if !errors.Is(err, ErrConflict) || attempt > 0 {
			return rev, err
		}
		previous := end
		end, alive, err = s.sessionEnd(ctx, sessionKey)
		if err == nil && !alive && end == previous {
			return 0, fmt.Errorf("acquire %q: %w: the key moved on", role, ErrConflict)
		}
	}
}

// publishTakeover takes role over in a batch of the store's takeover queue
// and returns the lease's new revision. The new lease has a TTL unless ttl
// is 0.
func (s *JetStreamStore) publishTakeover(ctx context.Context, role string, rec Record, revision uint64, sessionKey string, end uint64, ttl time.Duration) (uint64, error) {
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
