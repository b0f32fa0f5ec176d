package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// natsServer starts an embedded nats-server with JetStream in a fresh
// directory; syncAlways makes it fsync every write, as etcd does.
func natsServer(syncAlways bool) (*server.Server, func(), error) {
	dir, err := os.MkdirTemp("", "bench-nats-")
	if err != nil {
		return nil, nil, err
	}
	opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, SyncAlways: syncAlways, NoLog: true, NoSigs: true}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, nil, err
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		return nil, nil, fmt.Errorf("nats-server not ready")
	}
	return s, func() { s.Shutdown(); s.WaitForShutdown(); _ = os.RemoveAll(dir) }, nil
}

// etcdServer starts an embedded single-member etcd in a fresh directory
// and returns its client URL.
func etcdServer() (string, func(), error) {
	dir, err := os.MkdirTemp("", "bench-etcd-")
	if err != nil {
		return "", nil, err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	client, peer := freeURL(), freeURL()
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		e.Close()
		return "", nil, fmt.Errorf("etcd not ready")
	}
	return client.String(), func() { e.Close(); _ = os.RemoveAll(dir) }, nil
}

// freeURL is an http URL on a free local port.
func freeURL() url.URL {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return url.URL{Scheme: "http", Host: l.Addr().String()}
}
