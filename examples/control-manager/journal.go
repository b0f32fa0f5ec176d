package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/batonhq/baton/leadership"
)

// entryKind says what a journal entry records.
type entryKind int

// The kinds of entries.
const (
	entryPromoted entryKind = iota + 1
	entryDemoted
	entryAccepted // a write the resource accepted
	entryRejected // a write the resource refused
	entryNote     // a line of the scenario's own
)

// entry is one thing that happened, with when this process saw it on its
// monotonic clock.
type entry struct {
	at     time.Time
	kind   entryKind
	who    string // the candidate
	token  leadership.Token
	reason leadership.DemoteReason
	text   string // the value written, or the note
}

// journal records what happens, prints each entry as it comes and lets the
// scenario wait for an entry. Elections publish on their own goroutines and
// may be inside Election.Stop when they do, so adding never blocks. It is
// safe for concurrent use.
type journal struct {
	start time.Time

	mu      sync.Mutex // guards out, entries and subs
	out     io.Writer
	entries []entry
	subs    map[*actor.ActorSystem]*eventstream.Subscription
	arrived chan struct{} // signalled on every add
}

// newJournal returns an empty journal printing to out.
func newJournal(out io.Writer, start time.Time) *journal {
	return &journal{start: start, out: out, subs: map[*actor.ActorSystem]*eventstream.Subscription{}, arrived: make(chan struct{}, 1)}
}

// follow records every Promoted and Demoted published on system's
// EventStream until close.
func (j *journal) follow(system *actor.ActorSystem) {
	sub := system.EventStream.Subscribe(func(msg any) {
		switch m := msg.(type) {
		case *leadership.Promoted:
			j.add(entry{kind: entryPromoted, who: m.InstanceID, token: m.Token})
		case *leadership.Demoted:
			j.add(entry{kind: entryDemoted, who: m.InstanceID, token: m.Token, reason: m.Reason})
		}
	})
	j.mu.Lock()
	defer j.mu.Unlock()
	j.subs[system] = sub
}

// close stops following every EventStream.
func (j *journal) close() {
	j.mu.Lock()
	subs := j.subs
	j.subs = map[*actor.ActorSystem]*eventstream.Subscription{}
	j.mu.Unlock()
	for system, sub := range subs {
		system.EventStream.Unsubscribe(sub)
	}
}

// note records and prints a line of the scenario's own.
func (j *journal) note(format string, args ...any) {
	j.add(entry{kind: entryNote, text: fmt.Sprintf(format, args...)})
}

// add stamps, records and prints e.
func (j *journal) add(e entry) {
	e.at = time.Now()
	j.mu.Lock()
	j.entries = append(j.entries, e)
	fmt.Fprintf(j.out, "%9s  %s\n", fmt.Sprintf("+%.3fs", e.at.Sub(j.start).Seconds()), describe(e))
	j.mu.Unlock()
	select {
	case j.arrived <- struct{}{}:
	default:
	}
}

// describe is an entry's line in the output.
func describe(e entry) string {
	switch e.kind {
	case entryPromoted:
		return fmt.Sprintf("%s promoted, term %d (token %s)", e.who, e.token.Revision, e.token)
	case entryDemoted:
		return fmt.Sprintf("%s demoted, term %d: %s", e.who, e.token.Revision, e.reason)
	case entryAccepted:
		return fmt.Sprintf("%s wrote %q with term %d: accepted", e.who, e.text, e.token.Revision)
	case entryRejected:
		return fmt.Sprintf("%s wrote %q with term %d: REJECTED, stale token", e.who, e.text, e.token.Revision)
	default:
		return e.text
	}
}

// len is the number of entries so far, a position to wait from.
func (j *journal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.entries)
}

// await waits until n entries at or after position from match, and returns
// the n-th. It fails with errTimeout naming what after timeout, or with
// ctx's error.
func (j *journal) await(ctx context.Context, from, n int, timeout time.Duration, what string, match func(entry) bool) (entry, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		j.mu.Lock()
		seen := 0
		for _, e := range j.entries[min(from, len(j.entries)):] {
			if match(e) {
				if seen++; seen == n {
					j.mu.Unlock()
					return e, nil
				}
			}
		}
		j.mu.Unlock()
		select {
		case <-j.arrived:
		case <-deadline.C:
			return entry{}, fmt.Errorf("%w: waited %v for %s", errTimeout, timeout, what)
		case <-ctx.Done():
			return entry{}, ctx.Err()
		}
	}
}
