package transport

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// start starts the store's connection listener and watch hub. The hub
// replaces its watch when the listener reports a reconnect.
func (s *JetStreamStore) start(nc *nats.Conn, opts Options) error {
	// The push API is the one whose subscriptions report dropped messages;
	// MaxWait bounds its requests, as OpTimeout bounds the store's.
	pushJS, err := nc.JetStream(nats.MaxWait(opts.OpTimeout))
	if err != nil {
		return fmt.Errorf("open bucket %q: %w: %w", s.bucket, ErrPermanent, err)
	}
	s.pushJS = pushJS
	s.conn = startConnHub(nc)
	reads := bucketReads{stream: streamReader(s.js, s.bucket), keyPresent: s.keyPresent}
	s.hub = newHub(pushJS, reads, streamName(s.bucket), s.subject, opts.PollInterval, opts.OpTimeout)
	s.hub.start()
	s.conn.watch(s.hub.onConn)
	return nil
}

// keyPresent reads whether key holds a value now, for the hub's check of
// sessions a listing did not find.
func (s *JetStreamStore) keyPresent(ctx context.Context, key string) (bool, error) {
	_, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return false, nil
	default:
		return false, err
	}
}
