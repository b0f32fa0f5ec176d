package leadership

import "github.com/asynkron/protoactor-go/actor"

// roleMailbox is the mailbox of every actor a role runs (the role, its
// election, the election's children, the callback queue): a lock-free
// queue that allocates per message and holds nothing while empty, where
// Proto.Actor's default keeps a ring buffer of its own for each actor. A
// role's actors are idle nearly all the time, and a process may run
// thousands of roles.
var roleMailbox = actor.WithMailbox(actor.UnboundedLockfree())
