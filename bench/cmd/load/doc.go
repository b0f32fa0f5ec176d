// Command load measures what Baton costs at scale: N roles led by one
// process (N elections sharing one connection and one actor system) and one
// role with many candidates, against a nats-server running as its own
// process, so client and server CPU are measured apart. It prints one
// table; docs/benchmarks.md explains the columns and shows a run.
package main
