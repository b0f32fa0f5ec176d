// Command bench compares Baton's succession with etcd's
// client/v3/concurrency Election, in one run on one machine, and prints one
// table: graceful handover (from Resign to the successor's promotion) at
// several numbers of candidates (and for Baton, with every candidate in a
// process of its own), creates per handover and per freed lease, and crash
// failover as TTL + X.
//
// It is its own module so that the library never depends on etcd. Both
// servers are embedded: nats-server (JetStream, default sync every 2
// minutes, and a second server with sync always) and etcd (which fsyncs
// every write).
//
//	cd bench && go run . [-runs 200] [-crash-runs 5] [-sizes 2,10,100,1000] [-proc-sizes 2,10] [-herd 100,1000]
//
// With BENCH_CANDIDATE=1 in its environment the binary is one candidate of
// the separate-process rows instead (see runCandidate).
package main
