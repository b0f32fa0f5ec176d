package sim

import "time"

// event is something due at a point of true (virtual) time. Events due at
// the same time run in the order they were scheduled, so a run does not
// depend on how the heap breaks ties.
type event struct {
	at  time.Duration
	seq uint64
	fn  func()
}

// queue is a min-heap of events by (at, seq).
type queue struct {
	h   []event
	seq uint64
}

// push schedules fn at at.
func (q *queue) push(at time.Duration, fn func()) {
	q.seq++
	q.h = append(q.h, event{at: at, seq: q.seq, fn: fn})
	for i := len(q.h) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

// pop removes and returns the first event; ok is false when none is left.
func (q *queue) pop() (e event, ok bool) {
	n := len(q.h)
	if n == 0 {
		return event{}, false
	}
	e = q.h[0]
	q.h[0] = q.h[n-1]
	q.h[n-1] = event{}
	q.h = q.h[:n-1]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q.h) && q.less(l, m) {
			m = l
		}
		if r < len(q.h) && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return e, true
}

func (q *queue) less(i, j int) bool {
	a, b := q.h[i], q.h[j]
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}
