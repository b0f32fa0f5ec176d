package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/transport"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The lease bucket and role every run contests.
const (
	bucketName = "chaos"
	roleName   = "fenced"
	streamName = "KV_" + bucketName
	// account is nats-server's default account, which holds the bucket.
	account = "$G"
)

// Harness limits.
const (
	setupTimeout   = 30 * time.Second // creating the bucket, a cluster getting ready
	stopTimeout    = 15 * time.Second // a candidate stopping its election on SIGTERM
	clusterTimeout = 30 * time.Second // a restarted node rejoining, a stream leader moving
)

// env is one run's world: servers, the fenced resource and the candidates.
type env struct {
	sc   Scenario
	t    Timing
	rng  *rand.Rand
	exe  string
	tl   *timeline
	res  *resource
	dir  string                // the single server's store, kept across its restarts
	srv  *natstest.Server      // Single topology
	clu  *natstest.Cluster     // Cluster topology
	pc   *natstest.ProcCluster // ProcCluster and ProcClusterSync topologies
	pool []*member             // every candidate ever started, in start order

	steady   steady   // the latest steady state
	problems []string // candidates that did not stop cleanly when asked
}

// member is one candidate: its process and its own proxy to every node, so
// the harness can fault its link alone.
type member struct {
	id      string
	proxies []*natstest.Proxy // index = node index
	proc    *proc
	ended   bool // the harness killed or stopped it
}

func newEnv(sc Scenario, t Timing) (_ *env, err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: find own executable: %w", ErrInfrastructure, err)
	}
	e := &env{sc: sc, t: t, exe: exe, rng: rand.New(rand.NewPCG(uint64(sc.Seed), 0x5eed)), tl: newTimeline(sc.Log)}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.close())
		}
	}()
	if e.res, err = startResource(); err != nil {
		return nil, err
	}
	if err := e.startServers(); err != nil {
		return nil, err
	}
	if err := e.createBucket(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *env) startServers() error {
	if sync, ok := procSync[e.sc.Topology]; ok {
		pc, err := natstest.StartProcCluster(clusterSize, natstest.ProcOptions{Sync: sync})
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInfrastructure, err)
		}
		e.pc = pc
		return nil
	}
	if e.sc.Topology == Cluster {
		clu, err := natstest.StartCluster(clusterSize)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInfrastructure, err)
		}
		e.clu = clu
		return nil
	}
	dir, err := os.MkdirTemp("", "baton-chaos-")
	if err != nil {
		return fmt.Errorf("%w: store dir: %w", ErrInfrastructure, err)
	}
	e.dir = dir
	// A store directory of our own survives Shutdown, so a restart after
	// downtime recovers the leases.
	srv, err := natstest.StartServer(natstest.Options{JetStream: true, StoreDir: dir})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}
	e.srv = srv
	return nil
}

// createBucket creates the lease bucket once, on a direct connection, so
// candidates never race to create it (or, with sessions, to allow atomic
// publish on it).
func (e *env) createBucket() error {
	nc, err := nats.Connect(e.urls(), natstest.ClientOptions("chaos harness")...)
	if err != nil {
		return fmt.Errorf("%w: connect: %w", ErrInfrastructure, err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	opts := transport.Options{Bucket: transport.BucketConfig{Name: bucketName, Replicas: e.replicas()}}
	if e.t.Sessions {
		// Shaped for sessions here (atomic publish allowed), so the
		// candidates do not all update the stream as they start.
		opts.Session = transport.SessionOptions{TTL: e.t.TTL, Renew: e.t.HeartbeatInterval}
	}
	for {
		store, err := transport.Open(ctx, nc, opts)
		if err == nil {
			store.Close()
			return nil
		}
		if !peersNotYetKnown(err) {
			return fmt.Errorf("%w: create bucket: %w", ErrInfrastructure, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: create bucket: %w", ErrInfrastructure, err)
		case <-time.After(placementRetry):
		}
	}
}

// codeNoSuitablePeers is nats-server's "no suitable peers for placement".
const codeNoSuitablePeers jetstream.ErrorCode = 10005

// placementRetry is how long the harness waits before asking again to
// create a replicated bucket the meta leader could not place.
const placementRetry = 200 * time.Millisecond

// peersNotYetKnown reports a placement refused for want of peers. On a
// cluster that has just started or restarted, the meta leader places a
// stream only on peers whose configuration and statistics it has received
// (nodeInfo.selectable in nats-server); a peer routed, healthy and current
// in the meta group can still lack them for a moment ("no suitable peers
// for placement, peer offline", seed 13269).
func peersNotYetKnown(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == codeNoSuitablePeers
}

// procSync is the sync setting of each process topology.
var procSync = map[Topology]natstest.Sync{
	ProcCluster:     {},
	ProcClusterSync: {Always: true},
}

// serverNode is what candidates' links need of a node, embedded or process.
type serverNode interface {
	URL() string
	Name() string
}

func (e *env) nodes() []serverNode {
	var out []serverNode
	switch {
	case e.pc != nil:
		for _, s := range e.pc.Servers {
			out = append(out, s)
		}
	case e.clu != nil:
		for _, s := range e.clu.Servers {
			out = append(out, s)
		}
	default:
		out = append(out, e.srv)
	}
	return out
}

func (e *env) urls() string {
	switch {
	case e.pc != nil:
		return e.pc.URLs()
	case e.clu != nil:
		return e.clu.URLs()
	}
	return e.srv.URL()
}

func (e *env) replicas() int {
	if e.sc.Topology.clustered() {
		return clusterSize
	}
	return 1
}

// startMember starts a new candidate behind proxies of its own.
func (e *env) startMember() error {
	_, err := e.launch(0, 0)
	return err
}

// launch starts a candidate of the given priority whose election's clock
// runs at rate 1+drift, behind proxies of its own.
func (e *env) launch(drift float64, priority int) (*member, error) {
	m := &member{id: fmt.Sprintf("c%d", len(e.pool)+1)}
	cfg := candidateConfig{ID: m.id, ResourceURL: e.res.URL(), Role: roleName, Replicas: e.replicas(), Timing: e.t,
		Drift: drift, Priority: priority, Debug: e.sc.DebugCandidates}
	for _, n := range e.nodes() {
		p, err := natstest.NewProxy(n.URL())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInfrastructure, errors.Join(err, m.closeProxies()))
		}
		m.proxies = append(m.proxies, p)
		cfg.NATSURLs = append(cfg.NATSURLs, p.URL())
	}
	p, err := startProc(e.exe, cfg)
	if err != nil {
		return nil, errors.Join(err, m.closeProxies())
	}
	m.proc = p
	e.pool = append(e.pool, m)
	e.tl.add("started %s (pid %d)", m.id, p.cmd.Process.Pid)
	return m, nil
}

func (m *member) closeProxies() error {
	var errs []error
	for _, p := range m.proxies {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// nodeOf returns the index of the node whose proxy url belongs to m, or -1.
func (m *member) nodeOf(url string) int {
	for i, p := range m.proxies {
		if p.URL() == url {
			return i
		}
	}
	return -1
}

// liveMembers returns the candidates expected to report: started, not
// ended by the harness and not paused.
func (e *env) liveMembers() []*member {
	var out []*member
	for _, m := range e.pool {
		if !m.ended && !m.proc.isPaused() {
			out = append(out, m)
		}
	}
	return out
}

// live is liveMembers by id.
func (e *env) live() []string { return ids(e.liveMembers()) }

func ids(ms []*member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.id
	}
	return out
}

func (e *env) member(id string) *member {
	for _, m := range e.pool {
		if m.id == id {
			return m
		}
	}
	return nil
}

// end stops m, gracefully or with SIGKILL when kill is set. A graceful stop
// that fails is recorded for checker X.
func (e *env) end(m *member, kill bool) {
	m.ended = true
	if kill {
		m.proc.kill()
		e.tl.add("killed %s with SIGKILL", m.id)
		return
	}
	if err := m.proc.stop(stopTimeout); err != nil {
		e.problems = append(e.problems, err.Error()+"; output:\n"+m.proc.out.String())
	}
	e.tl.add("stopped %s", m.id)
}

// close kills every candidate still running and stops everything else.
func (e *env) close() error {
	var errs []error
	for _, m := range e.pool {
		if !m.proc.exited() {
			m.proc.kill()
		}
		errs = append(errs, m.closeProxies())
	}
	if e.clu != nil {
		e.clu.Shutdown()
	}
	if e.pc != nil {
		e.pc.Shutdown()
	}
	if e.srv != nil {
		e.srv.Shutdown()
	}
	if e.dir != "" {
		errs = append(errs, os.RemoveAll(e.dir))
	}
	if e.res != nil {
		errs = append(errs, e.res.Close())
	}
	return errors.Join(errs...)
}

// upTo returns a random duration in [0, d] from the run's seeded source.
func (e *env) upTo(d time.Duration) time.Duration {
	return time.Duration(e.rng.Int64N(int64(d) + 1))
}
