package natstest_test

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/batonhq/baton/internal/natstest"
)

const requestTimeout = 300 * time.Millisecond

// echoServer runs a plain server with a responder on "echo" connected directly,
// so only the requester's path goes through a proxy.
func echoServer(t *testing.T) *natstest.Server {
	t.Helper()
	s := natstest.RunServerWithOptions(t, natstest.Options{})
	nc := natstest.Connect(t, s.URL())
	sub, err := nc.Subscribe("echo", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	if err != nil {
		t.Fatalf("subscribe echo: %v", err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return s
}

func echo(nc *nats.Conn) error {
	msg, err := nc.Request("echo", []byte("ping"), requestTimeout)
	if err != nil {
		return err
	}
	if string(msg.Data) != "ping" {
		return errors.New("echo replied " + strconv.Quote(string(msg.Data)))
	}
	return nil
}

func TestProxyForwards(t *testing.T) {
	s := echoServer(t)
	for _, target := range []string{s.URL(), net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port()))} {
		p := natstest.RunProxy(t, target)
		if p.URL() != "nats://"+p.Addr() {
			t.Fatalf("URL() = %q, Addr() = %q", p.URL(), p.Addr())
		}
		if err := echo(natstest.Connect(t, p.URL())); err != nil {
			t.Fatalf("request through proxy to %s: %v", target, err)
		}
	}
}

func TestProxyURLForKeepsCredentials(t *testing.T) {
	// URLFor only builds a URL; the target need not be up.
	p := natstest.RunProxy(t, "127.0.0.1:4222")
	if got, want := p.URLFor("nats://alice:s3cret@10.0.0.1:4222"), "nats://alice:s3cret@"+p.Addr(); got != want {
		t.Fatalf("URLFor with credentials = %q, want %q", got, want)
	}
	for _, target := range []string{"nats://10.0.0.1:4222", "10.0.0.1:4222"} {
		if got := p.URLFor(target); got != p.URL() {
			t.Fatalf("URLFor(%q) = %q, want the plain URL %q", target, got, p.URL())
		}
	}
}

func TestProxyBlackholeKeepsConnectionOpen(t *testing.T) {
	p := natstest.RunProxy(t, echoServer(t).URL())
	disconnected, onDisconnect := notify[error]()
	nc := natstest.Connect(t, p.URL(), nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { onDisconnect(err) }))
	// The first request subscribes the reply inbox; it must reach the server.
	if err := echo(nc); err != nil {
		t.Fatalf("request before blackhole: %v", err)
	}

	p.Blackhole()
	if err := echo(nc); !errors.Is(err, nats.ErrTimeout) {
		t.Fatalf("request while blackholed: err = %v, want nats.ErrTimeout", err)
	}
	select {
	case err := <-disconnected:
		t.Fatalf("client disconnected while blackholed (%v); the proxy must not close connections", err)
	default:
	}
	if !nc.IsConnected() {
		t.Fatalf("client status %v while blackholed, want CONNECTED", nc.Status())
	}

	p.Heal()
	eventually(t, 5*time.Second, "a request after Heal", func() error { return echo(nc) })
}

func TestProxyBlackholeDetectedByClientPings(t *testing.T) {
	p := natstest.RunProxy(t, echoServer(t).URL())
	disconnected, onDisconnect := notify[error]()
	reconnected, onReconnect := notify[struct{}]()
	nc := natstest.Connect(t, p.URL(),
		nats.PingInterval(50*time.Millisecond),
		nats.MaxPingsOutstanding(2),
		nats.Timeout(200*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { onDisconnect(err) }),
		nats.ReconnectHandler(func(*nats.Conn) { onReconnect(struct{}{}) }),
	)

	p.Blackhole()
	err := waitFor(t, disconnected, 5*time.Second, "the client's ping timeout while blackholed")
	if !errors.Is(err, nats.ErrStaleConnection) {
		t.Fatalf("disconnect error = %v, want nats.ErrStaleConnection (a silent fault, not a closed socket)", err)
	}

	p.Heal()
	waitFor(t, reconnected, 5*time.Second, "reconnect after Heal")
	eventually(t, 5*time.Second, "a request after reconnect", func() error { return echo(nc) })
}

// TestProxyStallDeliversAfterHeal checks that a stalled connection stays
// open and passes nothing, and that Heal delivers what was sent meanwhile:
// a subscription made during the stall takes effect, which it would not if
// the proxy had dropped it.
func TestProxyStallDeliversAfterHeal(t *testing.T) {
	s := echoServer(t)
	p := natstest.RunProxy(t, s.URL())
	disconnected, onDisconnect := notify[error]()
	nc := natstest.Connect(t, p.URL(), nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { onDisconnect(err) }))
	if err := nc.Flush(); err != nil {
		t.Fatalf("flush before stall: %v", err)
	}

	p.Stall()
	got := make(chan *nats.Msg, 1)
	if _, err := nc.ChanSubscribe("late", got); err != nil {
		t.Fatalf("subscribe while stalled: %v", err)
	}
	if err := nc.FlushTimeout(requestTimeout); !errors.Is(err, nats.ErrTimeout) {
		t.Fatalf("flush while stalled: err = %v, want nats.ErrTimeout", err)
	}
	if !nc.IsConnected() {
		t.Fatalf("client status %v while stalled, want CONNECTED", nc.Status())
	}

	p.Heal()
	// The server answers this flush's PING after the SUB sent before it.
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Fatalf("flush after Heal: %v", err)
	}
	if err := natstest.Connect(t, s.URL()).Publish("late", []byte("held")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	waitFor(t, got, 5*time.Second, "a message on the subscription made while stalled")
	select {
	case err := <-disconnected:
		t.Fatalf("client disconnected (%v); a stall must not close connections", err)
	default:
	}
}

func TestProxyLatency(t *testing.T) {
	p := natstest.RunProxy(t, echoServer(t).URL())
	nc := natstest.Connect(t, p.URL())
	if err := echo(nc); err != nil {
		t.Fatalf("request before latency: %v", err)
	}

	const delay = 60 * time.Millisecond
	p.SetLatency(delay, 10*time.Millisecond)
	start := time.Now()
	if _, err := nc.Request("echo", []byte("ping"), 5*time.Second); err != nil {
		t.Fatalf("request with latency: %v", err)
	}
	// The request and the reply each cross the proxy once.
	if elapsed := time.Since(start); elapsed < 2*delay {
		t.Fatalf("round trip took %s, want at least %s", elapsed, 2*delay)
	}

	p.Heal()
	if err := echo(nc); err != nil {
		t.Fatalf("request after Heal: %v", err)
	}
}

func TestProxyCutConnections(t *testing.T) {
	p := natstest.RunProxy(t, echoServer(t).URL())
	disconnected, onDisconnect := notify[error]()
	reconnected, onReconnect := notify[struct{}]()
	nc := natstest.Connect(t, p.URL(),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { onDisconnect(err) }),
		nats.ReconnectHandler(func(*nats.Conn) { onReconnect(struct{}{}) }),
	)
	if err := echo(nc); err != nil {
		t.Fatalf("request before cut: %v", err)
	}

	p.CutConnections()
	_ = waitFor(t, disconnected, 5*time.Second, "disconnect after CutConnections")
	waitFor(t, reconnected, 5*time.Second, "reconnect through the proxy")
	eventually(t, 5*time.Second, "a request after reconnect", func() error { return echo(nc) })
}

func TestProxyClose(t *testing.T) {
	s := echoServer(t)
	p, err := natstest.NewProxy(s.URL())
	if err != nil {
		t.Fatalf("NewProxy: %v", err)
	}
	closed, onClosed := notify[struct{}]()
	nc := natstest.Connect(t, p.URL(), nats.MaxReconnects(0), nats.ClosedHandler(func(*nats.Conn) { onClosed(struct{}{}) }))
	if err := echo(nc); err != nil {
		t.Fatalf("request before Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	waitFor(t, closed, 5*time.Second, "client connection closed by proxy Close")
	if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		c.Close()
		t.Fatalf("proxy still accepts connections after Close")
	}
}

func TestNewProxyInvalidTarget(t *testing.T) {
	for _, target := range []string{"", "127.0.0.1", "nats://", "http://127.0.0.1:4222", ":4222", "nats://%zz"} {
		if _, err := natstest.NewProxy(target); !errors.Is(err, natstest.ErrInvalidTarget) {
			t.Errorf("NewProxy(%q): err = %v, want ErrInvalidTarget", target, err)
		}
	}
}
