package transport

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Release implements LeaseStore.
func (s *JetStreamStore) Release(ctx context.Context, lease Lease) error {
	if err := checkRole(lease.Role); err != nil {
		return err
	}
	if lease.Revision == 0 {
		return fmt.Errorf("release %q: %w: revision must not be zero (an unconditional delete could remove a successor's lease)", lease.Role, ErrPermanent)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return classify("release", lease.Role, opWrite, s.delete(ctx, lease.Role, lease.Revision))
}

// Read implements LeaseStore.
func (s *JetStreamStore) Read(ctx context.Context, role string) (KeyEvent, error) {
	if err := checkRole(role); err != nil {
		return KeyEvent{}, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ev, err := s.lastOf(ctx, role)
	if err != nil || ev.Kind != KeyPut || ev.Entry.Malformed != nil || ev.Entry.Record.Session == "" {
		return ev, err
	}
	end, alive, err := s.sessionEnd(ctx, ev.Entry.Record.Session)
	if err != nil {
		return KeyEvent{}, fmt.Errorf("read %q: %w", role, err)
	}
	if !alive {
		ev.Kind, ev.SessionEnd = KeySessionEnded, end
		return ev, nil
	}
	return s.stamp(ev), nil
}

// delete deletes the role's key if it is at revision, reporting a refused
// publish as a permission error rather than a timeout.
func (s *JetStreamStore) delete(ctx context.Context, role string, revision uint64) error {
	return guarded(ctx, s.nc, keyRefusal(s.subject+role), func(ctx context.Context) error {
		return s.kv.Delete(ctx, role, jetstream.LastRevision(revision))
	})
}

// lastOf reads the last message of the role's key from the stream
// leader. A KV Get may be answered by a replica that lags; the leader
// decided the revision check that failed, so its copy is the one that
// shows what beat it.
func (s *JetStreamStore) lastOf(ctx context.Context, role string) (KeyEvent, error) {
	m, err := s.pushJS.GetLastMsg(streamName(s.bucket), s.subject+role, nats.Context(ctx))
	if errors.Is(err, nats.ErrMsgNotFound) {
		return KeyEvent{Kind: KeyAbsent, Entry: Entry{Role: role}}, nil
	}
	if err != nil {
		return KeyEvent{}, classify("read", role, opRead, err)
	}
	return eventFrom(role, &nats.Msg{Header: m.Header, Data: m.Data},
		&nats.MsgMetadata{Sequence: nats.SequencePair{Stream: m.Sequence}, Timestamp: m.Time}), nil
}

// sameLease reports whether e holds lease, at any revision: the holder,
// nonce and term it was acquired with are all still there.
func sameLease(e Entry, lease Lease) bool {
	return e.Malformed == nil &&
		e.Record.Holder == lease.Record.Holder &&
		e.Record.Nonce == lease.Record.Nonce &&
		e.Term() == lease.Term
}
