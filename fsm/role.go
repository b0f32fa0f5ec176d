package fsm

// The lifecycle of one role run by a role manager: a second table in the
// election's style. The role owns its election; while the election leads,
// the role runs the term's actors (leader work and child roles). A term ends
// in one order: the term's context is cancelled, its actors stop, and only
// when all are gone is the end reported and OnDemote queued. Election events
// that arrive meanwhile wait their turn.

// Role phases.
const (
	// RoleInactive: the role actor has not started its election.
	RoleInactive State = "inactive"
	// RoleCampaigning: the election runs; this instance does not lead.
	RoleCampaigning State = "campaigning"
	// RoleLeading: a term has begun; its actors run.
	RoleLeading State = "leading"
	// RoleDraining: the election's term ended; its actors are stopping.
	RoleDraining State = "draining"
	// RoleEnding: the role is finishing: its election is stopping, then its
	// callbacks drain.
	RoleEnding State = "ending"
	// RoleEnded: terminal; the role actor stops.
	RoleEnded State = "ended"
)

// Role events.
const (
	// EvRoleStart: the role actor started its election.
	EvRoleStart Event = "start"
	// EvRolePromoted: the election reported a term.
	EvRolePromoted Event = "promoted"
	// EvRoleDemoted: the election reported the term's end.
	EvRoleDemoted Event = "demoted"
	// EvRoleDrained: the term's actors are gone; the end is reported.
	EvRoleDrained Event = "drained"
	// EvRoleFinish: the role was asked to end with no term open, or its
	// last term drained while ending.
	EvRoleFinish Event = "finish"
	// EvRoleEnded: the election is gone and the callbacks drained.
	EvRoleEnded Event = "ended"
	// EvRoleAborted: the role actor is stopped or restarted by force.
	EvRoleAborted Event = "aborted"
)

// RoleLifecycle returns the role table.
func RoleLifecycle() Table {
	i, c, l, d, e, z := RoleInactive, RoleCampaigning, RoleLeading, RoleDraining, RoleEnding, RoleEnded
	moves := []Rule{
		move(i, EvRoleStart, c, "the election starts campaigning"),
		move(c, EvRolePromoted, l, "a term begins: report it and start its actors"),
		move(e, EvRolePromoted, l, "a term begun while ending is still reported, and ended in order"),
		move(l, EvRoleDemoted, d, "the term ended: stop its actors before reporting it"),
		move(d, EvRoleDrained, c, "the term's actors are gone: report the end"),
		move(d, EvRoleFinish, e, "the last term drained while ending: stop the election"),
		move(c, EvRoleFinish, e, "no term open: stop the election"),
		move(e, EvRoleEnded, z, "the election is gone and the callbacks have run"),
		move(i, EvRoleAborted, z, "stopped by force"),
		move(c, EvRoleAborted, z, "stopped by force"),
		move(l, EvRoleAborted, z, "stopped by force: the open term is reported over now"),
		move(d, EvRoleAborted, z, "stopped by force: the open term is reported over now"),
		move(e, EvRoleAborted, z, "stopped by force"),
	}
	t := Table{
		Name:    "role",
		Initial: i,
		States:  []State{i, c, l, d, e, z},
		Events:  []Event{EvRoleStart, EvRolePromoted, EvRoleDemoted, EvRoleDrained, EvRoleFinish, EvRoleEnded, EvRoleAborted},
	}
	t.Rules = withRefusals(t.States, t.Events, moves, "no row of the role lifecycle fires this event in this phase")
	return t
}

// RoleInputKind says what happened to a role.
type RoleInputKind uint8

// The inputs of the role lifecycle.
const (
	// RoleInStart: the role actor started.
	RoleInStart RoleInputKind = iota + 1
	// RoleInPromoted: the election reported a term (Term; Actors is how many
	// term actors the role starts for it).
	RoleInPromoted
	// RoleInDemoted: the election reported the end of Term for Reason.
	RoleInDemoted
	// RoleInActorGone: a term actor (work or child role) terminated; Actors
	// is how many are left.
	RoleInActorGone
	// RoleInWorkFailed: a work actor of the term failed.
	RoleInWorkFailed
	// RoleInFinish: the role is asked to end in order.
	RoleInFinish
	// RoleInElectionGone: the election terminated.
	RoleInElectionGone
	// RoleInCallbacksDrained: every queued callback has run.
	RoleInCallbacksDrained
	// RoleInAbort: the role actor is stopped or restarted by force (Reason).
	RoleInAbort
)

// lastRoleInput is the last role input kind: every kind up to it needs a
// total row.
const lastRoleInput = RoleInAbort

var roleInputNames = [...]string{"", "start", "promoted", "demoted", "actor_gone", "work_failed", "finish", "election_gone", "callbacks_drained", "abort"}

// String names the kind.
func (k RoleInputKind) String() string {
	if int(k) < len(roleInputNames) {
		return roleInputNames[k]
	}
	return "unknown"
}

// RoleTerm identifies a term as the role sees it.
type RoleTerm struct {
	Revision uint64
	Nonce    string
}

// RoleInput is one thing that happened to a role.
type RoleInput struct {
	Kind   RoleInputKind
	Term   RoleTerm
	Reason Reason
	Actors int
}

// RoleEffectKind says what a role must do.
type RoleEffectKind uint8

// The effects of the role lifecycle.
const (
	// RoleDoStartElection: spawn the role's election.
	RoleDoStartElection RoleEffectKind = iota + 1
	// RoleDoPromoted: report the term and queue OnPromote.
	RoleDoPromoted
	// RoleDoStartTermActors: start the term's work actors and child roles.
	RoleDoStartTermActors
	// RoleDoEndTermContext: cancel the context given to OnPromote.
	RoleDoEndTermContext
	// RoleDoStopTermActors: stop the work actors, ask child roles to finish.
	RoleDoStopTermActors
	// RoleDoDemoted: report the term's end (Reason) and queue OnDemote.
	RoleDoDemoted
	// RoleDoResign: ask the election to resign (work keeps failing).
	RoleDoResign
	// RoleDoStopElection: ask the election to end gracefully.
	RoleDoStopElection
	// RoleDoDrainCallbacks: queue a marker behind the last callback.
	RoleDoDrainCallbacks
	// RoleDoStop: report the role inactive and stop the role actor.
	RoleDoStop
	// RoleDoIgnoreTerm: an end of a term this role did not begin (logged).
	RoleDoIgnoreTerm
)

// RoleEffect is one thing a role actor must do.
type RoleEffect struct {
	Kind   RoleEffectKind
	Term   RoleTerm
	Reason Reason
}

// RoleState is what the role lifecycle knows.
type RoleState struct {
	Phase State
	// Term is the term reported begun and not yet over.
	Term RoleTerm
	// Ending is the reason of the term's end while it drains.
	Ending Reason
	// Actors is how many term actors are alive.
	Actors int
	// Waiting holds election events that arrived while a term drained.
	Waiting []RoleInput
	// Finishing: the role ends once its term (if any) is over.
	Finishing bool
	// ElectionStopped: the election was asked to end; ElectionGone: it has.
	ElectionStopped, ElectionGone bool
	// Draining: the callbacks marker is queued.
	Draining bool
	// Failures counts work failures within the term; ResignAfter is the
	// limit (0: never resign); Resigning is set once asked.
	Failures, ResignAfter int
	Resigning             bool
}

// NewRoleState returns the state of a role that has not started; it resigns
// a term after resignAfter work failures (0: never).
func NewRoleState(resignAfter int) RoleState {
	return RoleState{Phase: RoleInactive, ResignAfter: resignAfter}
}
