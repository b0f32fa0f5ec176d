package fsm

// States of the election machine.
const (
	// StateCandidate: not leader, trying to acquire the lease. The initial state.
	StateCandidate State = "candidate"
	// StateFollower: someone else holds the lease, or the candidate is waiting
	// (unhealthy, resign hold-off); it does not campaign.
	StateFollower State = "follower"
	// StateLeader: our create or last renewal succeeded within the deadline.
	StateLeader State = "leader"
	// StateStopped: the election was stopped; terminal, every event stays here.
	StateStopped State = "stopped"
)

// Events of the election machine.
const (
	// EvAcquired: our atomic create of the key succeeded.
	EvAcquired Event = "acquired"
	// EvLostRace: our create failed because the key exists or the revision moved.
	EvLostRace Event = "lost_race"
	// EvLeaderObserved: a watch or get shows another holder.
	EvLeaderObserved Event = "leader_observed"
	// EvKeyReleased: the key was deleted or expired, seen by the watch or a get.
	EvKeyReleased Event = "key_released"
	// EvCampaign: resume campaigning (health recovered, resign hold-off over,
	// or a periodic check found no holder).
	EvCampaign Event = "campaign"
	// EvRenewConflict: a revision-checked renewal was rejected; the key is
	// someone else's or gone.
	EvRenewConflict Event = "renew_conflict"
	// EvRenewDeadline: no renewal sent within RenewDeadline has succeeded.
	EvRenewDeadline Event = "renew_deadline"
	// EvDisconnectGrace: the connection has been lost for longer than the grace.
	EvDisconnectGrace Event = "disconnect_grace"
	// EvReconnectRefuted: after a reconnect the proving renewal failed.
	EvReconnectRefuted Event = "reconnect_refuted"
	// EvUnhealthy: the health checker failed the configured number of times.
	EvUnhealthy Event = "unhealthy"
	// EvChildFailed: a supervised child (heartbeat, watch, connection, health) gave up.
	EvChildFailed Event = "child_failed"
	// EvResign: the user asked the leader to step down.
	EvResign Event = "resign"
	// EvStop: graceful stop of the election.
	EvStop Event = "stop"
)

// Election returns the election table. Each call returns a fresh copy, so a
// caller may change it without affecting others.
func Election() Table {
	c, f, l, s := StateCandidate, StateFollower, StateLeader, StateStopped
	return Table{
		Name:    "election",
		Initial: c,
		States:  []State{c, f, l, s},
		Events: []Event{
			EvAcquired, EvLostRace, EvLeaderObserved, EvKeyReleased, EvCampaign,
			EvRenewConflict, EvRenewDeadline, EvDisconnectGrace, EvReconnectRefuted,
			EvUnhealthy, EvChildFailed, EvResign, EvStop,
		},
		Rules: []Rule{
			move(c, EvAcquired, l, "our create succeeded: the lease is ours"),
			refuse(f, EvAcquired, "followers do not campaign, so no create can succeed"),
			refuse(l, EvAcquired, "a leader does not create the key again"),
			refuse(s, EvAcquired, "a stopped election does not campaign"),

			move(c, EvLostRace, f, "the key exists: someone else holds the lease"),
			stay(f, EvLostRace, "already following"),
			refuse(l, EvLostRace, "a leader does not race for the key"),
			stay(s, EvLostRace, "late reply to a create sent before the stop"),

			move(c, EvLeaderObserved, f, "another holder was seen: stop campaigning"),
			stay(f, EvLeaderObserved, "already following; the holder may have changed"),
			stay(l, EvLeaderObserved, "reads are hints; the next renewal decides"),
			stay(s, EvLeaderObserved, "stopped elections ignore observations"),

			stay(c, EvKeyReleased, "already campaigning"),
			move(f, EvKeyReleased, c, "the key is free: campaign for it"),
			stay(l, EvKeyReleased, "reads are hints; the next renewal decides"),
			stay(s, EvKeyReleased, "stopped elections ignore observations"),

			stay(c, EvCampaign, "already campaigning"),
			move(f, EvCampaign, c, "nothing holds us back any more: campaign"),
			stay(l, EvCampaign, "a leader has nothing to campaign for"),
			stay(s, EvCampaign, "a stopped election does not campaign"),

			stay(c, EvRenewConflict, "late reply from a previous term"),
			stay(f, EvRenewConflict, "late reply from a previous term"),
			move(l, EvRenewConflict, f, "the key is someone else's or gone: we are not leader"),
			stay(s, EvRenewConflict, "late reply after the stop"),

			stay(c, EvRenewDeadline, "stale deadline from a previous term"),
			stay(f, EvRenewDeadline, "stale deadline from a previous term"),
			move(l, EvRenewDeadline, f, "no renewal succeeded in time: the lease may be lost"),
			stay(s, EvRenewDeadline, "stale deadline after the stop"),

			stay(c, EvDisconnectGrace, "a candidate holds nothing to give up"),
			stay(f, EvDisconnectGrace, "a follower holds nothing to give up"),
			move(l, EvDisconnectGrace, f, "disconnected too long to trust the lease"),
			stay(s, EvDisconnectGrace, "stopped elections ignore the connection"),

			stay(c, EvReconnectRefuted, "a candidate has no lease to prove"),
			stay(f, EvReconnectRefuted, "a follower has no lease to prove"),
			move(l, EvReconnectRefuted, f, "the lease did not survive the disconnect"),
			stay(s, EvReconnectRefuted, "stopped elections ignore the connection"),

			move(c, EvUnhealthy, f, "do not campaign while unhealthy"),
			stay(f, EvUnhealthy, "already not campaigning"),
			move(l, EvUnhealthy, f, "an unhealthy instance must not lead"),
			stay(s, EvUnhealthy, "stopped elections ignore health"),

			move(c, EvChildFailed, f, "cannot campaign safely without every child"),
			stay(f, EvChildFailed, "already not campaigning"),
			move(l, EvChildFailed, f, "cannot lead safely without every child"),
			stay(s, EvChildFailed, "children are gone after the stop"),

			refuse(c, EvResign, "only a leader can resign"),
			refuse(f, EvResign, "only a leader can resign"),
			move(l, EvResign, f, "the user stepped down"),
			refuse(s, EvResign, "only a leader can resign"),

			move(c, EvStop, s, "graceful stop"),
			move(f, EvStop, s, "graceful stop"),
			move(l, EvStop, s, "graceful stop; the lease is released first"),
			stay(s, EvStop, "already stopped"),
		},
	}
}

// IsDemotion reports whether tr took the machine out of leadership, the point
// where the election must announce Demoted.
func IsDemotion(tr Transition) bool {
	return tr.Changed && tr.From == StateLeader && tr.To != StateLeader
}

// move, stay and refuse keep the rule list at one readable line per pair.
func move(from State, ev Event, to State, why string) Rule {
	return Rule{From: from, Event: ev, Outcome: Move, To: to, Why: why}
}

func stay(from State, ev Event, why string) Rule {
	return Rule{From: from, Event: ev, Outcome: Stay, Why: why}
}

func refuse(from State, ev Event, why string) Rule {
	return Rule{From: from, Event: ev, Outcome: Refuse, Why: why}
}
