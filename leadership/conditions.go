package leadership

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// How the election reacts to the conditions its children report: a child
// that gave up, the health checker, the NATS connection.

// onChildGaveUp demotes rather than lead without a child, and starts the
// child again after a TTL.
func (a *electionActor) onChildGaveUp(ctx actor.Context, msg *actors.ChildGaveUp) {
	name := "unknown"
	switch {
	case msg.Child.Equal(a.watchPID):
		a.watchPID, name = nil, "watch"
	case msg.Child.Equal(a.connPID):
		a.connPID, name = nil, "connection"
	case msg.Child.Equal(a.healthPID):
		a.healthPID, name = nil, "health"
	case msg.Child.Equal(a.heartbeatPID):
		a.heartbeatPID, name = nil, "heartbeat"
	}
	a.lastErr = fmt.Errorf("%s child gave up: %v", name, msg.Reason)
	a.logger().Error("child actor gave up; demoting", "child", name, "reason", fmt.Sprint(msg.Reason))
	a.childFailed = true
	switch a.sm.State() {
	case fsm.StateLeader:
		a.demote(ctx, fsm.EvChildFailed, true)
	case fsm.StateCandidate:
		if a.attempt == nil {
			a.fire(ctx, fsm.EvChildFailed)
		}
	}
	if name != "heartbeat" {
		a.timers.After(respawnTimer, 0, a.cfg.TTL)
	}
	a.publish()
}

// onHealthReport tracks health and acts on a change.
func (a *electionActor) onHealthReport(ctx actor.Context, msg *healthReport) {
	healthy := msg.failures < a.cfg.HealthFailureThreshold
	if msg.err != nil {
		a.lastErr = msg.err
		a.logger().Debug("health check failed", "failures", msg.failures, "err", msg.err)
	}
	if healthy == a.healthy {
		return
	}
	a.healthy = healthy
	if !healthy {
		a.logger().Warn("unhealthy", "failures", msg.failures, "err", msg.err)
		switch a.sm.State() {
		case fsm.StateLeader:
			a.demote(ctx, fsm.EvUnhealthy, true)
		case fsm.StateCandidate:
			if a.attempt == nil {
				a.fire(ctx, fsm.EvUnhealthy)
			}
		}
	} else {
		a.logger().Info("healthy again")
		a.maybeCampaign(ctx)
	}
	a.publish()
}

// onConnChanged starts or ends the disconnect grace and asks for proof of
// the lease after a reconnect.
func (a *electionActor) onConnChanged(ctx actor.Context, ev transport.ConnEvent) {
	a.logger().Info("connection "+ev.State.String(), "state", ev.State.String())
	switch ev.State {
	case transport.Connected:
		a.connected = true
		a.tel.connected(true)
	case transport.Disconnected:
		a.connected = false
		a.tel.connected(false)
		if a.sm.State() == fsm.StateLeader {
			a.timers.After(graceTimer, a.token.Revision, a.cfg.DisconnectGrace)
		}
	case transport.Reconnected:
		a.connected = true
		a.tel.connected(true)
		a.timers.Cancel(graceTimer)
		if a.sm.State() == fsm.StateLeader {
			a.proving = true
			if a.heartbeatPID != nil {
				ctx.Send(a.heartbeatPID, &proveLease{term: a.token.Revision})
			}
		}
	case transport.Closed:
		a.connected = false
		a.tel.connected(false)
		a.lastErr = transport.ErrClosed
		if a.sm.State() == fsm.StateLeader {
			a.demote(ctx, fsm.EvDisconnectGrace, false)
		}
	}
	a.publish()
}
