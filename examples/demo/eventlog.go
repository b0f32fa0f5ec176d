package main

import (
	"fmt"
	"io"
	"time"
)

// recentLines is how many log lines the table shows under it.
const recentLines = 10

// eventLog writes timestamped lines: straight to the output in plain mode,
// or into the list of recent lines the table shows. It is used only from
// run's goroutine.
type eventLog struct {
	out    io.Writer
	start  time.Time
	table  bool
	recent []string
}

// add logs text about subject (a role, or "fault") that happened at at.
func (l *eventLog) add(at time.Time, subject, text string) {
	line := fmt.Sprintf("%10s  %-10s %s", fmt.Sprintf("+%.3fs", at.Sub(l.start).Seconds()), subject, text)
	if !l.table {
		fmt.Fprintln(l.out, line)
		return
	}
	l.recent = append(l.recent, line)
	if len(l.recent) > recentLines {
		l.recent = l.recent[len(l.recent)-recentLines:]
	}
}
