package transport

import (
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// feed is one ordered consumer on the bucket's stream that starts with the
// latest entry of every key, then follows every change: the hub's live
// watch and each re-list are feeds. nats.go's KeyWatcher hides its
// subscription; a feed keeps it, so the hub can see the messages nats.go
// dropped because the client fell behind. sub and the channels are set by
// openFeed and never change; the handler's count of the initial values is
// guarded by mu.
type feed struct {
	sub    *nats.Subscription
	prefix string        // the bucket's key subject prefix, "$KV.<bucket>."
	out    chan feedItem // events in stream order, then the listed mark
	stop   chan struct{} // closed by close: unblocks a handler waiting on out
	ended  chan struct{} // closed when the subscription ends for any reason

	// dropped is the count of messages nats.go dropped, as last reported by
	// drops. Atomic, so that no field is left to a goroutine while mu
	// guards the others: the hub's goroutine reads the live feed's drops,
	// and hands the feed to another goroutine to close.
	dropped  atomic.Int64
	stopOnce sync.Once

	// mu guards the fields below. The handler holds it, also while it waits
	// for the reader, and openFeed holds it across the subscribe so the
	// handler cannot run before initial is known.
	mu       sync.Mutex
	initial  uint64 // messages pending when the consumer was created: the initial values
	received uint64
	listed   bool
}

// feedItem is an event from a feed or, with listed set, the mark that every
// key's entry at the consumer's creation has been delivered.
type feedItem struct {
	ev     KeyEvent
	listed bool
}

// feedBuffer is how many events a feed holds for a reader that is busy.
// Beyond it the handler waits, and nats.go queues messages for the
// subscription up to its pending limits.
const feedBuffer = 256

// openFeed subscribes to every key of the bucket behind stream.
func openFeed(js nats.JetStreamContext, stream, prefix string) (*feed, error) {
	f := &feed{
		prefix: prefix,
		out:    make(chan feedItem, feedBuffer),
		stop:   make(chan struct{}),
		ended:  make(chan struct{}),
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sub, err := js.Subscribe(prefix+">", f.receive,
		nats.BindStream(stream), nats.OrderedConsumer(), nats.DeliverLastPerSubject())
	if err != nil {
		return nil, err
	}
	sub.SetClosedHandler(func(string) { close(f.ended) })
	f.sub = sub
	if pending, err := sub.InitialConsumerPending(); err == nil {
		f.initial = pending
		if pending == 0 {
			f.listed = true
			f.out <- feedItem{listed: true} // the buffer is empty: nothing was received yet
		}
	}
	return f, nil
}

// receive runs on the subscription's goroutine for each message.
func (f *feed) receive(m *nats.Msg) {
	meta, err := m.Metadata()
	if err != nil || len(m.Subject) <= len(f.prefix) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.put(feedItem{ev: eventOf(m.Subject[len(f.prefix):], m, meta)}) {
		return
	}
	if !f.listed {
		f.received++
		if f.received >= f.initial || meta.NumPending == 0 {
			f.listed = true
			f.put(feedItem{listed: true})
		}
	}
}

// pending is how many messages the consumer held when it was created: a
// listing's size.
func (f *feed) pending() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.initial
}

// put hands it to the reader, or reports false once the feed is closed.
func (f *feed) put(it feedItem) bool {
	select {
	case f.out <- it:
		return true
	case <-f.stop:
		return false
	}
}

// drops returns how many messages nats.go dropped on the feed since the
// last call, because the client fell behind its pending limits.
func (f *feed) drops() int {
	n, err := f.sub.Dropped()
	if err != nil {
		return 0 // the subscription has ended; close reports its last count
	}
	return n - int(f.dropped.Swap(int64(n)))
}

// close ends the subscription, deleting its consumer, and returns the drops
// not yet reported. It is safe to call more than once.
func (f *feed) close() int {
	d := f.drops()
	f.stopOnce.Do(func() {
		close(f.stop)
		_ = f.sub.Unsubscribe() // the server also removes an idle ordered consumer by itself
	})
	return d
}

// eventFrom turns a message of the bucket's stream into a key event, its
// value decoded.
func eventFrom(key string, m *nats.Msg, meta *nats.MsgMetadata) KeyEvent {
	ev := eventOf(key, m, meta)
	ev.decode()
	return ev
}

// eventOf turns a message of the bucket's stream into a key event whose
// value, if it holds one, is decoded only when needed (KeyEvent.decode): a
// re-list delivers every key again, and the hub decodes only the news. The
// operation is read from the headers as nats.go's KV watcher reads it:
// KV-Operation for deletes and purges, Nats-Marker-Reason for the markers
// the server writes when a key's TTL passes.
func eventOf(key string, m *nats.Msg, meta *nats.MsgMetadata) KeyEvent {
	ev := KeyEvent{Kind: KeyPut, Entry: Entry{Role: key, Revision: meta.Sequence.Stream, Written: meta.Timestamp}}
	switch m.Header.Get("KV-Operation") {
	case "DEL":
		ev.Kind = KeyDeleted
	case "PURGE":
		ev.Kind = KeyPurged
	case "":
		switch m.Header.Get(jetstream.MarkerReasonHeader) {
		case "MaxAge", "Purge":
			ev.Kind = KeyPurged
		case "Remove":
			ev.Kind = KeyDeleted
		}
	}
	if ev.Kind == KeyPut {
		if m.Header.Get(takeoverCheckHeader) != "" {
			ev.check = true
			return ev
		}
		ev.raw, ev.undecoded = m.Data, true
	}
	return ev
}

// decode decodes the value of a put read by eventOf, once: a candidate
// registry entry, or a lease record.
func (ev *KeyEvent) decode() {
	if !ev.undecoded {
		return
	}
	data := ev.raw
	ev.raw, ev.undecoded = nil, false
	if _, ok := candidateGroup(ev.Entry.Role); ok {
		if c, ok := decodeCandidate(data, ev.Entry.Revision); ok {
			ev.candidate = &c
		}
		return
	}
	ev.Entry.Record, ev.Entry.Malformed = DecodeRecord(data)
}
