package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// candidateProc is one candidate process (runCandidate) and its pipes.
type candidateProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	status chan candidateStatus // answers to "status", one per question
	exited chan struct{}        // closed once stdout is drained and the process waited for
}

// procGroup is n candidates of one role, each in a process of its own with
// its own NATS connection and actor system, as a deployment runs them.
type procGroup struct {
	procs    []*candidateProc
	promoted chan promotion // every candidate's promotions, stamped by the candidate
	failed   chan error     // an "error" line, or a candidate that exited early
	done     chan struct{}  // closed by close: exits from then on are expected
	leader   int            // the candidate that leads, as of the last settle
}

// candidateID is candidate i's instance ID, as the in-process groups name
// theirs.
func candidateID(i int) string { return fmt.Sprintf("c%04d", i) }

// newProcGroup starts n candidate processes of role on the server at url,
// waits for the first promotion, and then until every candidate sees the
// one promoted as leader and all the candidates in the registry.
func newProcGroup(url string, n int, role string) (*procGroup, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	g := &procGroup{promoted: make(chan promotion, 4*n+16), failed: make(chan error, 2*n+16), done: make(chan struct{})}
	for i := range n {
		if err := g.spawn(exe, url, role, i); err != nil {
			g.close()
			return nil, err
		}
	}
	p, err := g.awaitPromotion(-1, 60*time.Second)
	if err != nil {
		g.close()
		return nil, err
	}
	g.leader = p.who
	if err := g.settle(60 * time.Second); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// spawn starts candidate i: this binary again, in candidate mode.
func (g *procGroup) spawn(exe, url, role string, i int) error {
	cmd := exec.Command(exe, "-nats", url, "-role", role, "-id", candidateID(i))
	cmd.Env = append(os.Environ(), candidateEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	c := &candidateProc{cmd: cmd, stdin: stdin, status: make(chan candidateStatus, 1), exited: make(chan struct{})}
	g.procs = append(g.procs, c)
	go g.read(i, c, stdout)
	return nil
}

// read turns candidate i's stdout lines into events until the process
// ends, then waits for it (exec requires stdout to be drained first).
func (g *procGroup) read(i int, c *candidateProc, stdout io.Reader) {
	defer close(c.exited)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		kind, rest, _ := strings.Cut(lines.Text(), " ")
		switch kind {
		case "promoted":
			nanos, err := strconv.ParseInt(rest, 10, 64)
			if err != nil {
				g.fail(fmt.Errorf("candidate %d: bad promotion %q", i, rest))
				continue
			}
			select {
			case g.promoted <- promotion{who: i, at: time.Unix(0, nanos)}:
			case <-g.done: // no one waits any more: keep draining stdout
			}
		case "status":
			st, err := parseCandidateStatus(rest)
			if err != nil {
				g.fail(fmt.Errorf("candidate %d: %w", i, err))
				continue
			}
			select {
			case c.status <- st:
			case <-g.done:
			}
		case "error":
			g.fail(fmt.Errorf("candidate %d: %s", i, rest))
		default:
			// Not ours (a library printing to stdout): shown, not parsed.
			fmt.Fprintf(os.Stderr, "candidate %d: %s\n", i, lines.Text())
		}
	}
	err := c.cmd.Wait()
	select {
	case <-g.done:
	default:
		g.fail(fmt.Errorf("candidate %d exited: %v", i, err))
	}
}

// fail reports err to whoever waits on the group, dropping it if the
// buffer is full: the first errors say enough.
func (g *procGroup) fail(err error) {
	select {
	case g.failed <- err:
	default:
	}
}

// send writes one command line to candidate i.
func (g *procGroup) send(i int, cmd string) error {
	_, err := io.WriteString(g.procs[i].stdin, cmd+"\n")
	return err
}

// awaitPromotion waits for the next promotion of a candidate other than
// not (-1: any), or a candidate's failure.
func (g *procGroup) awaitPromotion(not int, timeout time.Duration) (promotion, error) {
	deadline := time.After(timeout)
	for {
		select {
		case p := <-g.promoted:
			if p.who != not {
				return p, nil
			}
		case err := <-g.failed:
			return promotion{}, err
		case <-deadline:
			return promotion{}, fmt.Errorf("no promotion within %v", timeout)
		}
	}
}

// drain forgets promotions already reported, so the next one waited for
// is the one the next operation causes.
func (g *procGroup) drain() {
	for {
		select {
		case <-g.promoted:
		default:
			return
		}
	}
}

// status asks candidate i for its election's status.
func (g *procGroup) status(i int, timeout time.Duration) (candidateStatus, error) {
	if err := g.send(i, "status"); err != nil {
		return candidateStatus{}, err
	}
	select {
	case st := <-g.procs[i].status:
		return st, nil
	case err := <-g.failed:
		return candidateStatus{}, err
	case <-time.After(timeout):
		return candidateStatus{}, fmt.Errorf("candidate %d did not answer within %v", i, timeout)
	}
}

// settle waits until g.leader leads and every candidate sees it as leader
// and a registry of all the candidates: the same settled state the
// in-process rows start each handover from. A candidate found settled is
// not asked again: with no operation under way, nothing unsettles it.
func (g *procGroup) settle(timeout time.Duration) error {
	deadline, leader := time.Now().Add(timeout), g.leader
	for i := range g.procs {
		for {
			st, err := g.status(i, 10*time.Second)
			if err != nil {
				return err
			}
			if st.leader == candidateID(leader) && st.candidates == len(g.procs) && (i != leader || st.leading) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("candidate %d did not settle within %v (sees leader %q, %d candidates)", i, timeout, st.leader, st.candidates)
			}
			time.Sleep(time.Millisecond) // the state is a snapshot: polled, between timed operations
		}
	}
	return nil
}

// attempts sums the acquisitions every candidate has started.
func (g *procGroup) attempts() (uint64, error) {
	var sum uint64
	for i := range g.procs {
		st, err := g.status(i, 10*time.Second)
		if err != nil {
			return 0, err
		}
		sum += st.attempts
	}
	return sum, nil
}

// close closes every candidate's stdin, which stops its election (a leader
// releases its lease) and ends the process, and kills those that have not
// ended within 15s (the candidate's own stop is bounded by 10s).
func (g *procGroup) close() {
	close(g.done)
	for _, c := range g.procs {
		_ = c.stdin.Close()
	}
	deadline := time.After(15 * time.Second)
	for _, c := range g.procs {
		select {
		case <-c.exited:
		case <-deadline:
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	}
}

// batonHandoverProcs measures runs graceful handovers among n candidates
// in separate processes: from the moment before the bench writes "resign"
// to the current leader until the successor's OnPromote. Both instants are
// read from the wall clock of this machine, in different processes, so
// the duration includes the pipe write and the leader's reading of it,
// which the in-process rows do not pay.
func batonHandoverProcs(url string, n, runs int) (result, error) {
	r := result{scenario: "graceful handover, candidates in separate processes", system: "baton, separate processes", n: n}
	g, err := newProcGroup(url, n, fmt.Sprintf("handover-procs-%d", n))
	if err != nil {
		return r, err
	}
	defer g.close()
	before, err := g.attempts()
	if err != nil {
		return r, err
	}
	for range runs {
		g.drain()
		// A promotion's time carries no monotonic reading: Sub below uses
		// the wall clock for both instants.
		start := time.Now()
		if err := g.send(g.leader, "resign"); err != nil {
			return r, err
		}
		p, err := g.awaitPromotion(g.leader, 10*time.Second)
		if err != nil {
			return r, err
		}
		r.durations = append(r.durations, p.at.Sub(start))
		g.leader = p.who
		if err := g.settle(10 * time.Second); err != nil {
			return r, err
		}
	}
	after, err := g.attempts()
	if err != nil {
		return r, err
	}
	r.creates = float64(after-before) / float64(runs)
	return r, nil
}
