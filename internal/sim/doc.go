// Package sim is a deterministic simulation of Baton's elections: several
// real decision cores (fsm.Step) run under virtual time against a model of
// the JetStream KV lease store on a three-node stream (TTLs on the stream
// leader's wall clock, expiry markers that erase a write in flight), with
// faults drawn from a seed, and every run
// is checked for safety (fencing, one holder per token, no leader outliving
// its lease on the server) and liveness, with leases of their own TTL or, in
// session mode, kept by each process's session.
//
// It guarantees that a seed replays exactly: the same seed and options give
// the same trace. It does not run NATS, the election actor or its children:
// the interpreter here carries out the core's effects the way
// leadership/election_effects.go does, against the model (see
// docs/simulation.md for what is modelled and what is not).
package sim
