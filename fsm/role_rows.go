package fsm

// The role lifecycle as rows, tried in order for the phase and input; the
// first whose guard holds applies. Rows of kind roleAfterEveryInput are tried
// after every input, again and again until none applies (a drained term then
// lets the events that waited for it through).

// roleRows returns the rows of the role lifecycle.
func roleRows() []roleRow {
	i, c, l, d, e := RoleInactive, RoleCampaigning, RoleLeading, RoleDraining, RoleEnding
	open := []State{i, c, l, d, e}
	return []roleRow{
		{on: in(i), input: RoleInStart, event: EvRoleStart, do: roleEmit(RoleDoStartElection)},

		// Terms: begin, end, and wait while the previous one drains (or
		// while events that arrived earlier still wait: order is kept).
		{on: open, input: RoleInPromoted, when: "events wait", guard: hasWaiting, do: wait},
		{on: open, input: RoleInDemoted, when: "events wait", guard: hasWaiting, do: wait},
		{on: in(c), input: RoleInPromoted, event: EvRolePromoted, do: beginTerm},
		{on: in(e), input: RoleInPromoted, event: EvRolePromoted, do: beginTerm},
		{on: in(d), input: RoleInPromoted, when: "a term is draining", do: wait},
		{on: in(l), input: RoleInDemoted, when: "the term we began", guard: isOurTerm, event: EvRoleDemoted, do: endTerm},
		{on: in(d), input: RoleInDemoted, when: "a term is draining", do: wait},
		{on: in(c, l, e), input: RoleInDemoted, when: "a term we did not begin", do: roleEmitTerm(RoleDoIgnoreTerm)},
		{on: in(l, d), input: RoleInActorGone, do: countActors},
		{on: in(l), input: RoleInWorkFailed, when: "the limit is reached", guard: resignDue, do: resignTerm},
		{on: in(l), input: RoleInWorkFailed, do: countFailure},

		// Ending in order: the term's actors first, while the lease is held,
		// then the election, then the callbacks.
		{on: in(c), input: RoleInFinish, event: EvRoleFinish, do: finishRole},
		{on: in(l), input: RoleInFinish, do: finishTerm},
		{on: in(d), input: RoleInFinish, do: markFinishing},
		{on: open, input: RoleInElectionGone, do: electionGone},
		{on: in(e), input: RoleInCallbacksDrained, event: EvRoleEnded, do: roleEmit(RoleDoStop)},
		{on: in(l, d), input: RoleInAbort, when: "a term is open", event: EvRoleAborted, do: abortTerm},
		{on: open, input: RoleInAbort, event: EvRoleAborted, do: roleIgnore},

		// After every input.
		{on: in(l), input: roleAfterEveryInput, when: "finishing, the term's actors are gone", guard: roleAll(finishing, noActors, electionRunning), do: stopElection},
		{on: in(d), input: roleAfterEveryInput, when: "the term's actors are gone, finishing", guard: roleAll(noActors, finishing), event: EvRoleFinish, do: drainedThen(stopElection)},
		{on: in(d), input: roleAfterEveryInput, when: "the term's actors are gone", guard: noActors, event: EvRoleDrained, do: drainedThen()},
		{on: in(c, l), input: roleAfterEveryInput, when: "events waited for the drained term", guard: hasWaiting, do: release},
		{on: in(e), input: roleAfterEveryInput, when: "events waited for the drained term", guard: hasWaiting, do: release},
		{on: in(e), input: roleAfterEveryInput, when: "the election is gone, callbacks not drained", guard: roleAll(electionGoneGuard, notDraining, noTerm), do: drainCallbacks},
	}
}
