package interpret

import (
	"context"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// Acquirer is what an acquisition asks of the store: its three writes.
type Acquirer interface {
	Acquire(ctx context.Context, role string, rec transport.Record) (transport.Lease, error)
	WriteOver(ctx context.Context, role string, rec transport.Record, revision uint64) (transport.Lease, error)
	TakeOver(ctx context.Context, role string, rec transport.Record, revision uint64, session string, end uint64) (transport.Lease, error)
}

// Acquire makes the write a DoAcquire asks for (e.By): a create, a write
// over e.Over, or a takeover of the lease at e.Over whose session e.Session
// ended at e.SessionEnd.
func Acquire(ctx context.Context, store Acquirer, role string, rec transport.Record, e fsm.Effect) (transport.Lease, error) {
	switch e.By {
	case fsm.ByWriteOver:
		return store.WriteOver(ctx, role, rec, e.Over)
	case fsm.ByTakeOver:
		return store.TakeOver(ctx, role, rec, e.Over, e.Session, e.SessionEnd)
	default:
		return store.Acquire(ctx, role, rec)
	}
}
