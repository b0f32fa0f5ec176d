package natstest

import (
	"fmt"
	"sync"
)

// fatalLog is a silent nats-server logger that keeps the first fatal message.
// Without a logger the server swallows start failures (a port in use, an
// unusable store) and a start could only time out; with it a start fails fast
// and says why.
type fatalLog struct {
	mu    sync.Mutex
	first string // guarded by mu
}

func (l *fatalLog) Fatalf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == "" {
		l.first = fmt.Sprintf(format, v...)
	}
}

func (l *fatalLog) message() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

func (*fatalLog) Noticef(string, ...any) {}
func (*fatalLog) Warnf(string, ...any)   {}
func (*fatalLog) Errorf(string, ...any)  {}
func (*fatalLog) Debugf(string, ...any)  {}
func (*fatalLog) Tracef(string, ...any)  {}
