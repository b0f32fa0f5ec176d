package chaos

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// timeline records what the harness did, with times relative to the run's
// start, and echoes each line to a log.
type timeline struct {
	start time.Time
	log   io.Writer

	mu    sync.Mutex
	lines []string // guarded by mu
}

func newTimeline(log io.Writer) *timeline {
	return &timeline{start: time.Now(), log: log}
}

// add records one event.
func (tl *timeline) add(format string, args ...any) {
	line := fmt.Sprintf("%8s  %s", tl.rel(time.Now()), fmt.Sprintf(format, args...))
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.lines = append(tl.lines, line)
	fmt.Fprintln(tl.log, line)
}

// rel formats t relative to the start, rounded to the millisecond.
func (tl *timeline) rel(t time.Time) string {
	return "+" + t.Sub(tl.start).Round(time.Millisecond).String()
}

func (tl *timeline) snapshot() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return append([]string(nil), tl.lines...)
}
