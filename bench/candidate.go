package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/nats-io/nats.go"
)

// candidateEnv, set to 1 in a process's environment, makes the bench binary
// run as one candidate instead of the bench (see runCandidate). An
// environment variable rather than a flag keeps candidate mode out of the
// bench's -h.
const candidateEnv = "BENCH_CANDIDATE"

// candidateStatus is a candidate's answer to "status": what its election
// last saw.
type candidateStatus struct {
	leading    bool   // Status.Leading
	leader     string // Status.Leader, "" if none
	candidates int    // len(Status.Candidates)
	attempts   uint64 // Status.Acquisition.Attempts
}

// format is the answer's line, without the newline; "-" stands for no
// leader so that the line always has four fields.
func (s candidateStatus) format() string {
	leader := s.leader
	if leader == "" {
		leader = "-"
	}
	leading := 0
	if s.leading {
		leading = 1
	}
	return fmt.Sprintf("status %d %s %d %d", leading, leader, s.candidates, s.attempts)
}

// parseCandidateStatus reads the fields after "status" of a line format
// wrote.
func parseCandidateStatus(fields string) (candidateStatus, error) {
	var s candidateStatus
	var leading int
	if _, err := fmt.Sscanf(fields, "%d %s %d %d", &leading, &s.leader, &s.candidates, &s.attempts); err != nil {
		return s, fmt.Errorf("bad status %q: %w", fields, err)
	}
	s.leading = leading == 1
	if s.leader == "-" {
		s.leader = ""
	}
	return s, nil
}

// runCandidate runs one candidate in this process, as a deployment runs
// it: its own NATS connection, its own actor system, one election. It is
// driven by lines on stdin and reports on stdout:
//
//	stdin "resign"   calls Resign (an error is reported as "error ...")
//	stdin "status"   answers with one "status <leading 0|1> <leader|-> <candidates> <attempts>" line
//	stdin EOF        stops the election (releasing a held lease) and returns
//	stdout "promoted <unix-nanos>"  on each OnPromote, stamped on entry
//
// Status is a snapshot the election does not announce, so the bench asks
// for it rather than being told.
func runCandidate(args []string) error {
	fs := flag.NewFlagSet("candidate", flag.ContinueOnError)
	url := fs.String("nats", "", "NATS server URL")
	role := fs.String("role", "", "role contested")
	id := fs.String("id", "", "instance ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	nc, err := nats.Connect(*url, nats.ReconnectBufSize(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	system := quietActorSystem()
	defer system.Shutdown()
	e, err := leadership.NewElection(system, leadership.Config{Conn: nc, Role: *role, InstanceID: *id})
	if err != nil {
		return err
	}

	// Promotions (on the election's callback goroutine) and answers (on
	// this one) share stdout: one line per write, flushed at once, so the
	// bench reads each as soon as it is said.
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", a...)
		_ = out.Flush()
	}
	e.OnPromote(func(context.Context, leadership.Token) { say("promoted %d", time.Now().UnixNano()) })
	if err := e.Start(context.Background()); err != nil {
		return err
	}

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch cmd := strings.TrimSpace(in.Text()); cmd {
		case "resign":
			if err := e.Resign(context.Background()); err != nil {
				say("error resign: %v", err)
			}
		case "status":
			st := e.Status()
			say("%s", candidateStatus{leading: st.Leading, leader: st.Leader, candidates: len(st.Candidates), attempts: st.Acquisition.Attempts}.format())
		default:
			say("error unknown command %q", cmd)
		}
	}
	// The bench closes stdin to stop us; a broken pipe stops us too.
	readErr := in.Err() // nil at EOF
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(readErr, e.StopWithContext(ctx, leadership.StopOptions{}))
}
