package leadership

import (
	"sync"

	"go.opentelemetry.io/otel/metric"
)

// The lease gauge (election_lease_remaining) is observed by one callback
// per meter provider for every election on it (see newInstruments): a
// callback registered per election would cost each a registration for as
// long as it runs.

// leaseWatches are the elections whose lease the gauge reports: a list
// linked through their telemetry, so that joining it allocates nothing.
type leaseWatches struct {
	mu   sync.Mutex // guards the list; the elections' state is not behind it
	head *telemetry
}

// observe reports the remaining time of every watched election's lease,
// from its latest status: 0 when it does not lead.
func (w *leaseWatches) observe(o metric.Observer, gauge metric.Float64ObservableGauge) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for t := w.head; t != nil; t = t.next {
		remaining := 0.0
		if st := t.status.Load(); st.IsLeader() {
			remaining = st.LeaseDeadline().Sub(st.now()).Seconds()
		}
		o.ObserveFloat64(gauge, remaining, t.labels)
	}
}

// add puts t in the list.
func (w *leaseWatches) add(t *telemetry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t.prev, t.next = nil, w.head
	if w.head != nil {
		w.head.prev = t
	}
	w.head = t
}

// remove takes t out of the list.
func (w *leaseWatches) remove(t *telemetry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		w.head = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next = nil, nil
}
