package natstest

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// pumpBufferSize is the largest chunk a pump reads and forwards at once.
const pumpBufferSize = 32 << 10

// link is one proxied connection: the client side and the upstream side.
type link struct {
	client, upstream net.Conn
	done             chan struct{} // closed by close
	once             sync.Once
}

func newLink(client, upstream net.Conn) *link {
	return &link{client: client, upstream: upstream, done: make(chan struct{})}
}

// close closes both sides once; abrupt sends a TCP reset instead of a FIN.
func (l *link) close(abrupt bool) {
	l.once.Do(func() {
		if abrupt {
			resetAndClose(l.client)
			resetAndClose(l.upstream)
		} else {
			_ = l.client.Close()
			_ = l.upstream.Close()
		}
		close(l.done)
	})
}

func resetAndClose(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// pump copies src to dst chunk by chunk, applying the proxy's faults to each
// chunk. Reading never stops while blackholed, so the sender's writes succeed
// and nothing on the wire reveals the fault; it pauses while stalled (see
// Stall). When either side ends, the whole link closes: NATS does not use
// half-closed connections.
func (p *Proxy) pump(l *link, dst, src net.Conn) {
	defer l.close(false)
	buf := make([]byte, pumpBufferSize)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.forward(l, dst, buf[:n]) {
			return
		}
		if err != nil {
			return
		}
	}
}

// forward writes one chunk unless the proxy drops it; it returns false when
// the link is finished. Delaying inline keeps the chunks of one direction in
// order; bytes arriving meanwhile wait in the socket buffer.
func (p *Proxy) forward(l *link, dst net.Conn, chunk []byte) bool {
	f, ok := p.flowingFaults(l)
	if !ok {
		return false
	}
	if f.blackhole {
		return true
	}
	if d := f.delay + jitter(f.jitter); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-l.done:
			t.Stop()
			return false
		}
		// A stall or a blackhole that began during the delay applies to
		// the chunk too.
		if f, ok = p.flowingFaults(l); !ok {
			return false
		}
		if f.blackhole {
			return true
		}
	}
	_, err := dst.Write(chunk)
	return err == nil
}

func jitter(upTo time.Duration) time.Duration {
	if upTo <= 0 {
		return 0
	}
	return rand.N(upTo + 1)
}
