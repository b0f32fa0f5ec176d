package transport

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
)

// WaitConnected returns once nc is connected, or with an error when ctx
// ends first or nc is closed. A connection made with RetryOnFailedConnect is
// not connected until the server answers; operations on it before then fail
// at once with "server is disconnected".
func WaitConnected(ctx context.Context, nc *nats.Conn) error {
	if nc.IsConnected() {
		return nil
	}
	up := nc.StatusChanged(nats.CONNECTED, nats.CLOSED)
	defer nc.RemoveStatusListener(up)
	for !nc.IsConnected() {
		if nc.IsClosed() {
			return fmt.Errorf("wait for the NATS connection: %w: %w", ErrPermanent, ErrClosed)
		}
		select {
		case <-up:
		case <-ctx.Done():
			return fmt.Errorf("wait for the NATS connection (status %s): %w: %w", nc.Status(), ErrTransient, ctx.Err())
		}
	}
	return nil
}
