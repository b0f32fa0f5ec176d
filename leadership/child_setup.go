package leadership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/fsm"
)

// The children of every election share one Props per kind (a process may
// run thousands of elections, and Props built per child would cost each
// election one per child), so a child is built knowing nothing of its
// election. On every start, a restart included, it asks its parent for
// its setup, and the election answers with what the child needs of it
// (electionActor.setupOf). The heartbeat child asks for nothing: each
// arming carries what it needs.

// childStarted is a started child's request for its setup.
type childStarted struct{ child fsm.Child }

// askSetup asks the parent of the child running in ctx for its setup; the
// answer is the child's next message from its parent.
func askSetup(ctx actor.Context, child fsm.Child) {
	ctx.Request(ctx.Parent(), &childStarted{child: child})
}
