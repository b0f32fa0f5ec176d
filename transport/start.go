package transport

import (
	"fmt"

	"github.com/nats-io/nats.go"
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
	s.hub = newHub(pushJS, streamReader(s.js, s.bucket), streamName(s.bucket), s.subject, opts.PollInterval, opts.OpTimeout)
	s.hub.start()
	s.conn.watch(s.hub.onConn)
	return nil
}
