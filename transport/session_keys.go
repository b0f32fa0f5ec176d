package transport

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The store's side of its session: the writes and reads of session keys
// that a session asks for through sessionWriter. A takeover reads a
// session's end here too (sessionEnd).

var _ sessionWriter = (*JetStreamStore)(nil)

// createSession implements sessionWriter: kv.Create with a TTL, which
// fails when the key exists.
func (s *JetStreamStore) createSession(ctx context.Context, key string, value []byte, ttl time.Duration) (uint64, error) {
	return s.kv.Create(ctx, key, value, jetstream.KeyTTL(ttl))
}

// renewSession implements sessionWriter. It publishes with an
// expected-last-sequence check and a message TTL rather than calling
// kv.Update, which drops the key's TTL.
func (s *JetStreamStore) renewSession(ctx context.Context, key string, value []byte, rev uint64, ttl time.Duration) (uint64, error) {
	ack, err := s.js.PublishMsg(ctx, &nats.Msg{Subject: s.subject + key, Data: value},
		jetstream.WithExpectLastSequencePerSubject(rev), jetstream.WithMsgTTL(ttl))
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// sessionEnd reads the last message of a session key from the stream
// leader: its revision, and whether it is a live session (a value, not a
// delete or expiry marker). A key with no message at all has revision 0
// and is not alive. Only the server's checked writes act on what this
// returns.
func (s *JetStreamStore) sessionEnd(ctx context.Context, key string) (uint64, bool, error) {
	m, err := s.pushJS.GetLastMsg(streamName(s.bucket), s.subject+key, nats.Context(ctx))
	if errors.Is(err, nats.ErrMsgNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, classify("read session", key, opRead, err)
	}
	ev := eventFrom(key, &nats.Msg{Header: m.Header, Data: m.Data},
		&nats.MsgMetadata{Sequence: nats.SequencePair{Stream: m.Sequence}, Timestamp: m.Time})
	return m.Sequence, ev.Kind == KeyPut, nil
}
