package fsm

// The decision core of an election, as rows. This file is the whole
// election: for each phase and input, the first row whose guard holds decides
// what happens. A row names the table event it fires (the phase change, ""
// for none), the reason when it ends a term, and its effects. Step (in
// core_step.go) hands them to the row engine (rows.go), which finds the row
// and applies it; the helpers the rows use are in core_actions.go.
//
// Every (phase, input) pair ends with a row without a guard, so the rows are
// total: nothing an election receives is undecided. Reads and watch events
// are hints; only the store's answers to our own writes make or keep a leader.

// electionRows returns the rows in the order they are tried.
func electionRows() []row[*step, InputKind] {
	all := []State{StateStarting, StateFollower, StateCandidate, StateLeader, StateStopping, StateStopped}
	live := []State{StateStarting, StateFollower, StateCandidate, StateLeader}
	s, f, c, l, x, z := StateStarting, StateFollower, StateCandidate, StateLeader, StateStopping, StateStopped
	return []row[*step, InputKind]{
		// Starting: open the store, then learn who holds the key.
		{on: in(s), input: InStart, do: openStore},
		{on: in(f, c, l, x, z), input: InStart, do: ignore},
		{on: in(s), input: InStoreOpened, when: "opened", guard: opened, event: EvReady, do: startChildren},
		{on: in(s), input: InStoreOpened, when: "failed for good", guard: permanent, event: EvFailed, do: failForGood},
		{on: in(s), input: InStoreOpened, do: retryOpen},
		{on: in(f, c, l, x, z), input: InStoreOpened, do: ignore},
		{on: in(s), input: InTick, when: "open timer", guard: timer(TimerOpen), do: openStore},

		// What the key holds: a hint that starts or stops campaigning, and
		// for a leader the proof that its lease moved on.
		{on: in(l), input: InKey, when: "moved past our lease (or its session ended) while proving", guard: both(keyMovedOn, proving), event: EvReconnectRefuted, reason: ReasonReconnectRefuted, do: observeThen(endTermKeep, campaignSoon)},
		{on: in(l), input: InKey, when: "moved past our lease, or its session ended", guard: keyMovedOn, event: EvLeaseMoved, reason: ReasonRenewConflict, do: observeThen(endTermKeep, campaignSoon)},
		{on: in(l), input: InKey, do: observeThen()},
		{on: in(c), input: InKey, when: "offered to us, may claim", guard: both(offeredToUs, mayClaim), do: observeThen(claim)},
		{on: in(c), input: InKey, when: "held, no attempt in flight", guard: both(keyHeld, noAttempt), event: EvLeaderObserved, do: observeThen(cancelCampaign)},
		{on: in(c), input: InKey, when: "free, no attempt in flight", guard: both(keyFree, noAttempt), do: observeThen(campaignSoon)},
		{on: in(c), input: InKey, do: observeThen()},
		{on: in(f), input: InKey, when: "offered to us, may claim", guard: both(offeredToUs, mayClaim), event: EvCampaign, do: observeThen(claim)},
		{on: in(f), input: InKey, when: "free", guard: keyFree, do: observeThen(campaignSoon)},
		{on: in(f), input: InKey, do: observeThen(cancelCampaign)},
		{on: in(s, x, z), input: InKey, do: observeThen()},

		// Campaigning.
		{on: in(f), input: InTick, when: "campaign timer, may campaign", guard: both(timer(TimerCampaign), mayCampaign), event: EvCampaign, do: acquire},
		{on: in(f), input: InTick, when: "campaign timer, key free but held back", guard: both(timer(TimerCampaign), heldBackByTime), do: campaignLater},
		{on: in(c), input: InTick, when: "campaign timer, no attempt in flight", guard: all3(timer(TimerCampaign), noAttempt, holdsNothing), do: acquire},
		{on: in(c), input: InAcquired, when: "won a claim of an offer: confirm it first, even to release it (a release chained on an erased claim is erased with it)", guard: all3(ours, won, claiming), do: confirmClaim},
		{on: in(c), input: InAcquired, when: "won while unhealthy", guard: all3(ours, won, unhealthy), event: EvUnhealthy, do: releaseWon},
		{on: in(c), input: InAcquired, when: "won while a child is down", guard: all3(ours, won, childDown), event: EvChildFailed, do: releaseWon},
		{on: in(c), input: InAcquired, when: "won in time", guard: all3(ours, won, inTime), event: EvAcquired, do: promote},
		{on: in(c), input: InAcquired, when: "won too late to lead", guard: both(ours, won), event: EvLostRace, do: releaseWon},
		{on: in(c), input: InAcquired, when: "refused over a revision: read the key back", guard: all3(ours, result(WriteConflict), overRevision), event: EvLostRace, do: lostRaceReadBack},
		{on: in(c), input: InAcquired, when: "lost the race", guard: both(ours, result(WriteConflict)), event: EvLostRace, do: lostRace},
		{on: in(c), input: InAcquired, when: "failed, breaker opens", guard: both(ours, breakerTrips), event: EvBreakerOpen, do: openBreaker},
		{on: in(c), input: InAcquired, when: "failed", guard: ours, do: retryAcquire},
		{on: in(x), input: InAcquired, when: "won a claim of an offer while stopping: confirm it first", guard: all3(ours, won, claiming), do: confirmClaim},
		{on: in(x), input: InAcquired, when: "won while stopping", guard: both(ours, won), do: releaseWon},
		{on: in(x), input: InAcquired, when: "answered while stopping", guard: ours, do: forgetAttempt},
		{on: in(s, f, c, l, x, z), input: InAcquired, do: ignore},

		// Confirming a won claim (see core_proof.go): read back from the
		// stream leader, it proves the lease only if the server stamped it
		// early enough to have applied it before the offer could expire.
		{on: in(c), input: InConfirmed, when: "found while unhealthy or a child is down", guard: all3(confirmOfOurs, result(WriteOK), both(claimProven, mayNotLeadNow)), event: EvLostRace, do: releaseConfirmed},
		{on: in(c), input: InConfirmed, when: "confirmed in time", guard: all3(confirmOfOurs, result(WriteOK), confirmedInTime), event: EvAcquired, do: promoteConfirmed},
		{on: in(c), input: InConfirmed, when: "found, proven, too late to lead", guard: all3(confirmOfOurs, result(WriteOK), claimProven), event: EvLostRace, do: releaseConfirmed},
		{on: in(c), input: InConfirmed, when: "found but not proven: left alone, since what is written over it may be erased with it", guard: both(confirmOfOurs, result(WriteOK)), event: EvLostRace, do: lostRace},
		{on: in(c), input: InConfirmed, when: "gone: the claim was erased or overtaken", guard: both(confirmOfOurs, refused), event: EvLostRace, do: lostRace},
		{on: in(c), input: InConfirmed, when: "not proven either way", guard: confirmOfOurs, do: retryAcquire},
		{on: in(x), input: InConfirmed, when: "found and proven while stopping", guard: all3(confirmOfOurs, result(WriteOK), claimProven), do: releaseConfirmed},
		{on: in(x), input: InConfirmed, when: "answered while stopping", guard: confirmOfOurs, do: forgetAttempt},
		{on: all, input: InConfirmed, do: ignore},

		// Leading: renew every heartbeat; demote on a refusal, at the
		// deadline, or after the disconnect grace.
		{on: in(l), input: InTick, when: "heartbeat after the deadline passed (a process resuming from a pause)", guard: all3(timer(TimerHeartbeat), currentTerm, deadlinePassed), event: EvRenewDeadline, reason: ReasonRenewDeadline, do: endTermKeep},
		{on: in(l), input: InTick, when: "heartbeat, a higher priority is live", guard: all3(timer(TimerHeartbeat), currentTerm, both(notRenewing, outranked)), event: EvHandOff, reason: ReasonOutranked, do: yieldLease},
		{on: in(l), input: InTick, when: "heartbeat, the lease's session was proven within the last heartbeat: renewed by that proof, without a call, and parked on the session", guard: all3(timer(TimerHeartbeat), currentTerm, both(notRenewing, provenBySession)), do: park},
		{on: in(l), input: InTick, when: "heartbeat", guard: all3(timer(TimerHeartbeat), currentTerm, notRenewing), do: renew},
		{on: in(l), input: InTick, when: "deadline passed", guard: all3(timer(TimerDeadline), currentTerm, deadlinePassed), event: EvRenewDeadline, reason: ReasonRenewDeadline, do: endTermKeep},
		{on: in(l), input: InTick, when: "deadline, moved on by a newer proof of the lease's session", guard: all3(timer(TimerDeadline), currentTerm, notParked), do: rearmDeadline},
		{on: in(l), input: InTick, when: "grace over, still disconnected", guard: all3(timer(TimerGrace), currentTerm, disconnected), event: EvDisconnected, reason: ReasonDisconnected, do: endTermKeep},
		{on: in(l), input: InRenewed, when: "renewed in time", guard: all3(renewalOfOurs, result(WriteOK), answeredInTime), do: renewed},
		{on: in(l), input: InRenewed, when: "renewed too late to prove the lease", guard: both(renewalOfOurs, result(WriteOK)), event: EvRenewDeadline, reason: ReasonRenewDeadline, do: endTermKeep},
		{on: in(l), input: InRenewed, when: "refused while proving", guard: all3(renewalOfOurs, refused, proving), event: EvReconnectRefuted, reason: ReasonReconnectRefuted, do: endTermKeep},
		{on: in(l), input: InRenewed, when: "refused", guard: both(renewalOfOurs, refused), event: EvRenewConflict, reason: ReasonRenewConflict, do: endTermKeep},
		{on: in(l), input: InRenewed, when: "not proven either way", guard: renewalOfOurs, do: renewUnproven},
		{on: in(f, c, x), input: InRenewed, when: "the ended term's work is stopping", guard: both(renewalOfOurs, awaitingWork), do: renewalWhileAwaiting},
		{on: in(f, c, x), input: InRenewed, when: "a release waits for it", guard: both(renewalOfOurs, releaseDue), do: releaseAfterRenewal},
		{on: in(s, f, c, l, x, z), input: InRenewed, do: ignore},
		{on: all, input: InReleased, when: "our offer failed", guard: both(releaseOfOurs, offerFailed), do: releaseInstead},
		{on: all, input: InReleased, when: "our release refused, not read back yet", guard: all3(releaseOfOurs, result(WriteConflict), mayReadBack), do: readBack},
		{on: in(x), input: InReleased, when: "our release failed while stopping", guard: both(releaseOfOurs, releaseNotDone), do: releasedLeavingTerm},
		{on: all, input: InReleased, when: "our release of a term left behind failed", guard: all3(releaseOfOurs, releasingLeft, releaseNotDone), do: retryLeftLater},
		{on: in(f), input: InReleased, when: "our release, the key seen free meanwhile", guard: releaseOfOurs, do: releasedThenCampaign},
		{on: all, input: InReleased, when: "our release", guard: releaseOfOurs, do: released},
		{on: all, input: InReleased, do: ignore},
		{on: all, input: InRead, when: "our refused release read back: our lease at a later revision", guard: both(readingBack, readBackOurs), do: releaseAtRead},
		{on: all, input: InRead, when: "our refused release read back", guard: readingBack, do: settleReadBack},
		{on: all, input: InRead, when: "our refused acquisition read back, showing the key as the refused write expected it", guard: both(keyReadOfOurs, readRepeatsRefused), do: readBackNoNews},
		{on: all, input: InRead, when: "our refused acquisition read back", guard: keyReadOfOurs, do: keyReadBack},
		{on: all, input: InRead, do: ignore},

		// Conditions the children report.
		{on: in(l), input: InConnection, when: "closed", guard: conn(ConnClosed), event: EvDisconnected, reason: ReasonDisconnected, do: connectionThen(endTermKeep)},
		{on: in(l), input: InConnection, when: "lost", guard: conn(ConnLost), do: connectionThen(armGrace)},
		{on: in(l), input: InConnection, when: "back", guard: conn(ConnBack), do: connectionThen(prove)},
		{on: all, input: InConnection, do: connectionThen()},
		{on: in(l), input: InHealth, when: "turned unhealthy", guard: turnsUnhealthy, event: EvUnhealthy, reason: ReasonUnhealthy, do: healthThen(endTermRelease)},
		{on: in(c), input: InHealth, when: "turned unhealthy, no attempt in flight", guard: both(turnsUnhealthy, noAttempt), event: EvUnhealthy, do: healthThen(cancelCampaign)},
		{on: in(f), input: InHealth, when: "healthy again", guard: turnsHealthy, do: healthThen(campaignSoon)},
		{on: all, input: InHealth, do: healthThen()},
		{on: live, input: InChildFailed, when: "the registry gave up", guard: child(ChildRegistry), do: registryDown},
		{on: in(l), input: InChildFailed, event: EvChildFailed, reason: ReasonChildFailed, do: childDownThen(endTermRelease)},
		{on: in(c), input: InChildFailed, when: "no attempt in flight", guard: noAttempt, event: EvChildFailed, do: childDownThen(cancelCampaign)},
		{on: live, input: InChildFailed, do: childDownThen()},
		{on: in(x, z), input: InChildFailed, do: ignore},
		{on: live, input: InTick, when: "respawn timer", guard: timer(TimerRespawn), do: respawn},

		// The registry: the order of succession.
		{on: in(l), input: InCandidates, when: "parked, and a higher priority is live: the heartbeat now", guard: parkedAndOutranked, do: candidatesThen(beatNow)},
		{on: all, input: InCandidates, do: candidatesThen()},

		// The user: resign (handing the lease to a successor when there is
		// one) and stop.
		{on: in(l), input: InResign, when: "after the deadline passed: nothing left to hand over", guard: deadlinePassed, event: EvRenewDeadline, reason: ReasonRenewDeadline, do: endTermKeepThen(answerResign(ResignNotLeader))},
		{on: in(l), input: InResign, when: "the named successor is not live", guard: namedNotLive, do: answerResign(ResignNoSuccessor)},
		{on: in(l), input: InResign, when: "a successor is live", guard: hasSuccessor, event: EvHandOff, reason: ReasonResigned, do: handOff},
		{on: in(l), input: InResign, event: EvResign, reason: ReasonResigned, do: resign},
		{on: in(x, z), input: InResign, do: answerResign(ResignStopped)},
		{on: in(s, f, c), input: InResign, do: answerResign(ResignNotLeader)},
		{on: in(l), input: InStop, when: "the actor failed", guard: actorFailed, event: EvStop, reason: ReasonFailed, do: stopLeading},
		{on: in(l), input: InStop, event: EvStop, reason: ReasonStopped, do: stopLeading},
		{on: live, input: InStop, event: EvStop, do: stop},
		{on: in(x), input: InStop, when: "forced while stopping", guard: forced, do: abandonInFlight},
		{on: in(x, z), input: InStop, do: ignore},
		{on: in(x), input: InTick, when: "stop timer", guard: timer(TimerStop), do: abandonInFlight},
		{on: all, input: InTick, when: "the ended term's work did not stop within the TTL", guard: both(timer(TimerWorkStop), workOfOurs), do: leaveLease},
		{on: all, input: InTick, do: ignore},

		// The parent: the ended term's work stopped (see core_work.go).
		{on: in(x), input: InWorkStopped, when: "the ended term's work stopped, while stopping", guard: workOfOurs, do: workStoppedThen(armStop)},
		{on: all, input: InWorkStopped, when: "the ended term's work stopped", guard: workOfOurs, do: workStoppedThen()},
		{on: all, input: InWorkStopped, do: ignore},

		// After every input: a stopping election with nothing in flight ends;
		// a follower whose term ended while the key still holds it under our
		// own session releases it when it may not lead, and claims it back
		// when it may (nobody else can, while the session lives).
		{on: in(x), input: afterEveryInput, when: "nothing in flight", guard: idle, event: EvStopped, do: finish},
		{on: in(f, c), input: afterEveryInput, when: "a term of ours is left under our session, and we may not lead it", guard: leftUnled, do: releaseLeft},
		{on: in(f, c), input: afterEveryInput, when: "a term of ours is left under our session", guard: oursLeft, do: claimOurs},
	}
}

// Answers a Resign can get besides the release's own error.
const (
	// ResignNotLeader: the candidate did not lead.
	ResignNotLeader = "not_leader"
	// ResignStopped: the election is stopping or stopped.
	ResignStopped = "stopped"
)
