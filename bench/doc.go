// Command bench compares Baton's succession with etcd's
// client/v3/concurrency Election, in one run on one machine, and prints one
// table: graceful handover (from Resign to the successor's promotion) at
// several numbers of candidates, creates per handover and per freed lease,
// and crash failover as TTL + X.
//
// It is its own module so that the library never depends on etcd. Both
// servers are embedded: nats-server (JetStream, default sync every 2
// minutes, and a second server with sync always) and etcd (which fsyncs
// every write).
//
//	cd bench && go run . [-runs 200] [-crash-runs 5] [-herd 100,1000]
package main
