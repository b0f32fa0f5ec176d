// Package chaos is a fault-injection harness for Baton's elections. It runs
// real candidates against embedded NATS servers (internal/natstest), injects
// named faults, and checks that fencing held, that every term had one
// holder, that the election recovered, and that each fault really bit.
//
// # How a run is built
//
// Each candidate is a separate process: the harness re-executes its own
// binary (os.Executable) with CandidateEnv set to the candidate's JSON
// configuration, and MaybeRunCandidate, called first in TestMain and in the
// chaos command's main, turns that process into a candidate. So a leader
// can be killed with SIGKILL and frozen with SIGSTOP for real. A candidate
// runs one leadership.Election; its NATS connection goes through
// natstest.Proxy links owned by the harness (one per server node, so the
// harness can blackhole, delay or cut one candidate's link, or one node,
// alone).
//
// The fenced resource lives in the harness process: an HTTP server on
// 127.0.0.1. Candidates reach it directly, never through a proxy or NATS, so
// a leader cut off from NATS, or frozen and continued, can still try to
// write with its old token; that is what makes the fencing check mean
// something. HTTP rather than a NATS service keeps the resource reachable
// while NATS servers restart. While its OnPromote context is alive, a
// candidate does 50-100ms of work and then writes with its Token.String(),
// without checking again: a leader frozen mid-work, or whose term ended
// meanwhile, still sends that write, and only the resource stops it. The
// resource accepts a write only if its token supersedes the
// highest accepted so far (leadership.Token.Supersedes) and records every
// write and its verdict. Candidates also report their status there every
// 100ms (leading, token, connection, reconnections, measured NATS round
// trip, demotions), and the reply carries the health the harness wants
// their HealthChecker to report.
//
// # Faults
//
// A Class names a reusable fault: ClassBlackhole (leader's link silently
// dropped), ClassKill (SIGKILL), ClassPause (SIGSTOP past the TTL, then
// SIGCONT), ClassServerRestart (single server, random downtime),
// ClassStreamLeaderKill (the node leading the KV stream shut down, later
// restarted), ClassPartition, ClassLatency, ClassHealthFlap, ClassChurn,
// ClassServerKill, ClassRoutePartition, ClassClusterCrash, ClassClockDrift
// and ClassClockDriftBeyond. Each injection waits for the election to react
// (bounded), heals, and leaves an effect check behind. No fault is injected
// while a live candidate's acquisition breaker is still cooling down from
// the previous one (bounded), so a freed lease finds a taker.
//
// ClassPartition cuts the node the leader is connected to away from every
// candidate: all their proxies to that node drop traffic silently, so
// candidates must notice on their own and fail over to other nodes; the
// node's routes stay up. ClassStreamLeaderKill uses natstest's Shutdown of
// an embedded server, a clean stop in which raft leaders step down first.
//
// The process topologies (ProcCluster, ProcClusterSync) run the three
// nodes as nats-server processes (natstest.ProcCluster) with a proxy on
// every route, for the faults an embedded server cannot have:
// ClassServerKill (SIGKILL of the stream leader), ClassRoutePartition (the
// stream leader cut from its peers while clients still reach it) and
// ClassClusterCrash (every node killed at once). A SIGKILL loses nothing the
// process had handed to the kernel, so ClassClusterCrash models a power
// loss from the sync setting: with "sync_interval: always" the stores stay
// as the crash left them; at the default interval they go back to an image
// taken before the last handover, and the checks then allow a revision to
// be held again by a token with another nonce (F2), with the fenced
// resource's record reset once the first new term wrote. Whether the crash
// lost acknowledged writes is read from a probe key the harness writes
// just before it, not from the stream's last sequence, which candidates and
// the servers' expiry markers raise again as soon as the cluster is back.
//
// The clock-drift classes give one candidate an election clock
// (leadership.Config.Timings.Clock, an internal/clock.Drifting) running at
// rate 1+rho and a higher priority; every candidate runs with
// Succession.PreferredLeader, so the leader hands that candidate the lease,
// whose link is then cut. Within MaxClockDrift (ClassClockDrift) its last
// reported lease deadline must come before the next holder's promotion; with
// a clock far slower (ClassClockDriftBeyond) it must be seen leading after
// that promotion, an overlap the report shows as expected, with its writes
// refused meanwhile. Drifting candidates report their deadlines in real
// time.
//
// # Checks
//
// Every run is checked by: F1 (CheckFencing) no write under a superseded
// token was accepted, replaying the resource's decisions against the rule;
// F2 (CheckOneHolder) no revision was seen with two nonces or from two
// candidates; L (CheckLiveness) within Timing.LivenessBound (TTL+2s by
// default) of every heal, a window of Timing.Settle in which exactly one
// candidate reports leading, only it writes, and all its writes are
// accepted; E (CheckEffect) the fault had its class's effect (a leader
// change, a demotion, a reconnection, a measured slower round trip, a stale
// write refused...), so a run in which a fault did nothing fails; X
// (CheckProcess) no candidate died on its own or failed to stop.
//
// # Seeds
//
// A Scenario's Seed fixes the plan (fault parameters, churn choices);
// MixScenario derives a whole scenario from a seed. Real processes and
// servers are not deterministic, so a seed replays a plan, not an
// interleaving. A failing seed is kept as a named regression test in the
// table in regression_test.go (see the comment there).
//
// The package works on Unix only: it drives candidates with signals.
package chaos
