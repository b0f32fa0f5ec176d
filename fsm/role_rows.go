package fsm

// The role lifecycle as rows, applied by the same engine as the election's
// (rows.go): for the phase and input, the first row whose guard holds
// applies. Every (phase, input) pair ends with a row without a guard, so the
// rows are total; the rows that change nothing are listed too (roleIgnore).
// Rows of kind roleAfterEveryInput are tried after every input, again and
// again until none applies (a drained term then lets the events that waited
// for it through).

// roleRows returns the rows of the role lifecycle.
func roleRows() []row[*roleStep, RoleInputKind] {
	i, c, l, d, e, z := RoleInactive, RoleCampaigning, RoleLeading, RoleDraining, RoleEnding, RoleEnded
	open := []State{i, c, l, d, e}
	return []row[*roleStep, RoleInputKind]{
		{on: in(i), input: RoleInStart, event: EvRoleStart, do: roleEmit(RoleDoStartElection)},
		{on: in(c, l, d, e, z), input: RoleInStart, do: roleIgnore},

		// Terms: begin, end, and wait while the previous one drains (or
		// while events that arrived earlier still wait: order is kept).
		{on: open, input: RoleInPromoted, when: "events wait", guard: hasWaiting, do: wait},
		{on: open, input: RoleInDemoted, when: "events wait", guard: hasWaiting, do: wait},
		{on: in(c), input: RoleInPromoted, event: EvRolePromoted, do: beginTerm},
		{on: in(e), input: RoleInPromoted, event: EvRolePromoted, do: beginTerm},
		{on: in(d), input: RoleInPromoted, when: "a term is draining", do: wait},
		{on: in(i, l, z), input: RoleInPromoted, do: roleIgnore},
		{on: in(l), input: RoleInDemoted, when: "the term we began", guard: isOurTerm, event: EvRoleDemoted, do: endTerm},
		{on: in(d), input: RoleInDemoted, when: "a term is draining", do: wait},
		{on: in(c, l, e), input: RoleInDemoted, when: "a term we did not begin", do: roleEmitTerm(RoleDoIgnoreTerm)},
		{on: in(i, z), input: RoleInDemoted, do: roleIgnore},
		{on: in(l, d), input: RoleInActorGone, do: countActors},
		{on: in(i, c, e, z), input: RoleInActorGone, do: roleIgnore},
		{on: in(l), input: RoleInWorkFailed, when: "the limit is reached", guard: resignDue, do: resignTerm},
		{on: in(l), input: RoleInWorkFailed, do: countFailure},
		{on: in(i, c, d, e, z), input: RoleInWorkFailed, do: roleIgnore},

		// Ending in order: the term's actors first, while the lease is held,
		// then the election, then the callbacks.
		{on: in(c), input: RoleInFinish, event: EvRoleFinish, do: finishRole},
		{on: in(l), input: RoleInFinish, do: finishTerm},
		{on: in(d), input: RoleInFinish, do: markFinishing},
		{on: in(i, e, z), input: RoleInFinish, do: roleIgnore},
		{on: open, input: RoleInElectionGone, do: electionGone},
		{on: in(z), input: RoleInElectionGone, do: roleIgnore},
		{on: in(e), input: RoleInCallbacksDrained, event: EvRoleEnded, do: roleEmit(RoleDoStop)},
		{on: in(i, c, l, d, z), input: RoleInCallbacksDrained, do: roleIgnore},
		{on: in(l, d), input: RoleInAbort, when: "a term is open", event: EvRoleAborted, do: abortTerm},
		{on: open, input: RoleInAbort, event: EvRoleAborted, do: roleIgnore},
		{on: in(z), input: RoleInAbort, do: roleIgnore},

		// After every input.
		{on: in(l), input: roleAfterEveryInput, when: "finishing, the term's actors are gone", guard: roleAll(finishing, noActors, electionRunning), do: stopElection},
		{on: in(d), input: roleAfterEveryInput, when: "the term's actors are gone, finishing", guard: roleAll(noActors, finishing), event: EvRoleFinish, do: drainedThen(stopElection)},
		{on: in(d), input: roleAfterEveryInput, when: "the term's actors are gone", guard: noActors, event: EvRoleDrained, do: drainedThen()},
		{on: in(c, l), input: roleAfterEveryInput, when: "events waited for the drained term", guard: hasWaiting, do: release},
		{on: in(e), input: roleAfterEveryInput, when: "events waited for the drained term", guard: hasWaiting, do: release},
		{on: in(e), input: roleAfterEveryInput, when: "the election is gone, callbacks not drained", guard: roleAll(electionGoneGuard, notDraining, noTerm), do: drainCallbacks},
	}
}
