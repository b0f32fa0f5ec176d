package natstest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// proxyDialTimeout bounds the dial to the target for each accepted client; the
// target is local, so a slow dial means it is down.
const proxyDialTimeout = 2 * time.Second

// Proxy is a TCP proxy between clients and one server that injects faults:
// silent blackholes, added latency and abrupt disconnects. Its methods are safe
// for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	wg     sync.WaitGroup // the accept loop and every link goroutine

	mu     sync.Mutex
	links  map[*link]struct{} // guarded by mu
	closed bool               // guarded by mu
	faults faults             // guarded by mu
	// resume is closed when a stall ends; set while faults.stall is.
	resume chan struct{} // guarded by mu
}

// faults is what the proxy currently does to forwarded bytes.
type faults struct {
	blackhole bool
	stall     bool
	delay     time.Duration
	jitter    time.Duration
}

// NewProxy listens on 127.0.0.1 on a free port and forwards every accepted
// connection to target, given as "host:port" or "nats://host:port".
func NewProxy(target string) (*Proxy, error) {
	addr, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return nil, fmt.Errorf("natstest: proxy listen: %w", err)
	}
	p := &Proxy{target: addr, ln: ln, links: make(map[*link]struct{})}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

func parseTarget(target string) (string, error) {
	addr := target
	if strings.Contains(target, "://") {
		u, err := url.Parse(target)
		if err != nil {
			return "", fmt.Errorf("%w: %q: %w", ErrInvalidTarget, target, err)
		}
		if u.Scheme != "nats" {
			return "", fmt.Errorf("%w: %q: scheme must be nats", ErrInvalidTarget, target)
		}
		addr = u.Host
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrInvalidTarget, target, err)
	}
	if host == "" || port == "" {
		return "", fmt.Errorf("%w: %q: want host:port", ErrInvalidTarget, target)
	}
	return addr, nil
}

// URL returns nats://127.0.0.1:port of the proxy.
func (p *Proxy) URL() string {
	return "nats://" + p.Addr()
}

// URLFor returns the proxy's URL carrying the credentials of target (a
// nats:// URL the proxy forwards to), so a client of an external server that
// needs a user and password can connect through the proxy.
func (p *Proxy) URLFor(target string) string {
	if u, err := url.Parse(target); err == nil && u.User != nil {
		return "nats://" + u.User.String() + "@" + p.Addr()
	}
	return p.URL()
}

// Addr returns 127.0.0.1:port of the proxy.
func (p *Proxy) Addr() string {
	return p.ln.Addr().String()
}

// Blackhole silently drops all bytes in both directions, on existing and new
// connections. Connections stay open, so a client only notices through its own
// pings or request timeouts, as with a dead network path. A connection that
// outlives the blackhole has lost bytes from its middle, which TCP never
// lets happen; Stall is the partition that keeps streams whole.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults.blackhole = true
}

// Stall holds all bytes in both directions, on existing and new connections,
// until Heal, then forwards them in order: a network partition as TCP sees
// it. The path loses packets, but TCP retransmits them, so a connection
// either carries every byte sent during the cut once the path is back, or is
// given up by an endpoint (its keepalive pings time out) and closed. Unlike
// Blackhole, it never removes bytes from the middle of a stream that goes on,
// a loss no real network causes: a nats-server route that survived such a
// loss misses the subscription changes (RS+/RS-) sent meanwhile for good,
// since a route sends all its interest only when it connects, and each
// change after that once.
//
// A stalled link reads no further than the chunk it holds, so what the
// sender writes meanwhile waits in the socket buffers, and a sender that
// fills them blocks, as on a real path.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.faults.stall {
		p.faults.stall = true
		p.resume = make(chan struct{})
	}
}

// SetLatency delays each forwarded chunk by delay plus a uniform random jitter
// in [0, jitter], keeping the byte order of each direction. Negative values
// count as zero.
func (p *Proxy) SetLatency(delay, jitter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults.delay, p.faults.jitter = max(delay, 0), max(jitter, 0)
}

// Heal ends the blackhole, the stall and the latency; existing and new
// connections forward again. Bytes a blackhole dropped stay lost; bytes a
// stall held are forwarded.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.faults.stall {
		close(p.resume)
		p.resume = nil
	}
	p.faults = faults{}
}

// CutConnections closes every current connection with a TCP reset on both
// sides, a failure the client sees at once. New connections are accepted.
func (p *Proxy) CutConnections() {
	for _, l := range p.snapshot() {
		l.close(true)
	}
}

// Close stops accepting, closes all connections and waits until every proxy
// goroutine has returned. Calling it again returns nil.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.CutConnections()
	p.wg.Wait()
	if err != nil {
		return fmt.Errorf("natstest: proxy close: %w", err)
	}
	return nil
}

func (p *Proxy) snapshot() []*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	return links
}

// flowingFaults returns the proxy's faults once it does not stall, waiting
// while it does; ok is false when the link closed meanwhile.
func (p *Proxy) flowingFaults(l *link) (faults, bool) {
	for {
		p.mu.Lock()
		f, resume := p.faults, p.resume
		p.mu.Unlock()
		if !f.stall {
			return f, true
		}
		select {
		case <-resume:
		case <-l.done:
			return f, false
		}
	}
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			// Closed by Close; any other accept error on a loopback listener
			// means the proxy cannot serve anyway.
			return
		}
		p.wg.Add(1)
		go p.serve(conn)
	}
}

// serve connects one client to the target and pumps bytes both ways until
// either side closes or the proxy cuts the link.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	upstream, err := net.DialTimeout("tcp", p.target, proxyDialTimeout)
	if err != nil {
		// The target is down: the client sees a reset, as it would connecting
		// to the server directly.
		resetAndClose(client)
		return
	}
	l := newLink(client, upstream)
	if !p.register(l) {
		l.close(true)
		return
	}
	defer p.unregister(l)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.pump(l, upstream, client)
	}()
	p.pump(l, client, upstream)
}

func (p *Proxy) register(l *link) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.links[l] = struct{}{}
	return true
}

func (p *Proxy) unregister(l *link) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.links, l)
}
