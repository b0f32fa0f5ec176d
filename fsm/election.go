package fsm

// Phases of an election: the states of the election table.
const (
	// StateStarting: the lease store is being opened; nothing is known yet.
	// The initial state.
	StateStarting State = "starting"
	// StateFollower: not campaigning. Someone else holds the lease, the key's
	// state is not known yet, or the candidate is held back (unhealthy, a
	// child failed, resign hold-off, breaker open).
	StateFollower State = "follower"
	// StateCandidate: an acquisition is in flight or due: the key looked free
	// and nothing holds the candidate back.
	StateCandidate State = "candidate"
	// StateLeader: our create or a renewal sent within RenewDeadline succeeded.
	StateLeader State = "leader"
	// StateStopping: the election is ending; it waits (bounded) for the
	// replies of writes in flight and for the release of its lease.
	StateStopping State = "stopping"
	// StateStopped: terminal; the election has ended.
	StateStopped State = "stopped"
)

// Events of the election table. A row of the decision core fires at most one
// of them; the table says where it moves the phase.
const (
	// EvReady: the lease store is open and the children run.
	EvReady Event = "ready"
	// EvFailed: the lease store cannot be opened, for good.
	EvFailed Event = "failed"
	// EvCampaign: the key looks free and nothing holds us back: acquire it.
	EvCampaign Event = "campaign"
	// EvAcquired: our atomic create of the key succeeded.
	EvAcquired Event = "acquired"
	// EvLostRace: our create failed because the key exists.
	EvLostRace Event = "lost_race"
	// EvLeaderObserved: another holder was seen before our attempt started.
	EvLeaderObserved Event = "leader_observed"
	// EvBreakerOpen: too many attempts failed in a row; pause for a cool-down.
	EvBreakerOpen Event = "breaker_open"
	// EvUnhealthy: the health checker failed the configured number of times.
	EvUnhealthy Event = "unhealthy"
	// EvChildFailed: a supervised child (watch, connection, health) gave up.
	EvChildFailed Event = "child_failed"
	// EvRenewConflict: a revision-checked renewal was refused: the key is
	// someone else's or gone.
	EvRenewConflict Event = "renew_conflict"
	// EvLeaseMoved: the watch saw the key at a later revision than our
	// lease, written by another term, or deleted.
	EvLeaseMoved Event = "lease_moved"
	// EvReconnectRefuted: after a reconnect the proving renewal was refused,
	// or the key was seen to have moved on.
	EvReconnectRefuted Event = "reconnect_refuted"
	// EvRenewDeadline: no renewal sent within RenewDeadline has succeeded.
	EvRenewDeadline Event = "renew_deadline"
	// EvDisconnected: the connection stayed lost past DisconnectGrace, or
	// was closed.
	EvDisconnected Event = "disconnected"
	// EvResign: the user asked the leader to step down.
	EvResign Event = "resign"
	// EvHandOff: the leader steps down and offers the lease to a successor.
	EvHandOff Event = "hand_off"
	// EvStop: the election was asked to end.
	EvStop Event = "stop"
	// EvStopped: nothing is in flight any more, or the stop ran out of time.
	EvStopped Event = "stopped"
)

// Election returns the election table: the phases an election moves through
// and the events that move it. Each call returns a fresh copy, so a caller may
// change it without affecting others. Every pair not listed as a move is
// refused: no row of the decision core fires it there (a test checks that).
func Election() Table {
	s, f, c, l, x, z := StateStarting, StateFollower, StateCandidate, StateLeader, StateStopping, StateStopped
	moves := []Rule{
		move(s, EvReady, f, "the store is open: learn who holds the key"),
		move(s, EvFailed, z, "the store cannot be opened: the election cannot run"),
		move(f, EvCampaign, c, "the key looks free and nothing holds us back"),
		move(c, EvAcquired, l, "our create succeeded: the lease is ours"),
		move(c, EvLostRace, f, "the key exists: someone else holds the lease"),
		move(c, EvLeaderObserved, f, "another holder was seen: stop campaigning"),
		move(c, EvBreakerOpen, f, "acquisition keeps failing: pause for the cool-down"),
		move(c, EvUnhealthy, f, "do not campaign while unhealthy"),
		move(l, EvUnhealthy, f, "an unhealthy instance must not lead"),
		move(c, EvChildFailed, f, "cannot campaign safely without every child"),
		move(l, EvChildFailed, f, "cannot lead safely without every child"),
		move(l, EvRenewConflict, f, "the key is someone else's or gone: we are not leader"),
		move(l, EvLeaseMoved, f, "the key moved past our revision: our lease is gone"),
		move(l, EvReconnectRefuted, f, "the lease did not survive the disconnect"),
		move(l, EvRenewDeadline, f, "no renewal succeeded in time: the lease may be lost"),
		move(l, EvDisconnected, f, "disconnected too long to trust the lease"),
		move(l, EvResign, f, "the user stepped down"),
		move(l, EvHandOff, f, "the lease is offered to a live successor"),
		move(s, EvStop, x, "stop before the store opened"),
		move(f, EvStop, x, "graceful stop"),
		move(c, EvStop, x, "graceful stop; an attempt in flight is settled first"),
		move(l, EvStop, x, "graceful stop; the lease is released first"),
		move(x, EvStopped, z, "nothing in flight any more, or out of time"),
	}
	t := Table{
		Name:    "election",
		Initial: s,
		States:  []State{s, f, c, l, x, z},
		Events: []Event{
			EvReady, EvFailed, EvCampaign, EvAcquired, EvLostRace, EvLeaderObserved,
			EvBreakerOpen, EvUnhealthy, EvChildFailed, EvRenewConflict, EvLeaseMoved,
			EvReconnectRefuted, EvRenewDeadline, EvDisconnected, EvResign, EvHandOff, EvStop, EvStopped,
		},
	}
	t.Rules = withRefusals(t.States, t.Events, moves, "no row of the decision core fires this event in this phase")
	return t
}

// withRefusals returns rules plus a Refuse rule, giving why, for every
// (state, event) pair that rules leave out, so a table need only list what
// it allows.
func withRefusals(states []State, events []Event, rules []Rule, why string) []Rule {
	listed := make(map[pair]bool, len(rules))
	for _, r := range rules {
		listed[pair{r.From, r.Event}] = true
	}
	out := append([]Rule(nil), rules...)
	for _, s := range states {
		for _, e := range events {
			if !listed[pair{s, e}] {
				out = append(out, refuse(s, e, why))
			}
		}
	}
	return out
}

// move and refuse keep the rule list at one readable line per pair.
func move(from State, ev Event, to State, why string) Rule {
	return Rule{From: from, Event: ev, Outcome: Move, To: to, Why: why}
}

func refuse(from State, ev Event, why string) Rule {
	return Rule{From: from, Event: ev, Outcome: Refuse, Why: why}
}
