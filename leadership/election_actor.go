package leadership

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/actors"
	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
	"github.com/cenkalti/backoff/v5"
)

// Timer names of the election actor.
const (
	campaignTimer = "campaign" // next acquisition attempt
	deadlineTimer = "deadline" // the leader's self-demotion deadline
	graceTimer    = "grace"    // the leader's disconnect grace
	openTimer     = "open"     // retry opening the store
	respawnTimer  = "respawn"  // restart a child that was given up
)

// electionActor is one election. Its fields are touched only from Receive,
// on the actor's goroutine; the facade sees them only through the Status
// snapshot handed to onStatus.
type electionActor struct {
	cfg      Config
	onStatus func(*Status) // called with every published snapshot; may be nil
	log      *slog.Logger  // with role and instance; logger adds the term
	tel      *telemetry
	latest   atomic.Pointer[Status] // the last snapshot, for the lease gauge's callback
	unwatch  func()                 // stops the lease gauge's callback

	sm     *actors.StateMachine
	timers *actors.Timers
	store  *transport.JetStreamStore
	// shared is a store the facade already opened; the actor uses it
	// instead of opening its own, and leaves closing it to the facade.
	shared *transport.JetStreamStore
	since  time.Time
	trans  uint64

	// children
	watchPID, connPID, healthPID, heartbeatPID *actor.PID

	// while leading
	lease       transport.Lease
	token       Token
	lastRenewal time.Time // when the last successful renewal (or the acquire) was sent
	proving     bool      // reconnected; the next renewal must prove the lease
	termStarted time.Time // when this candidate was promoted

	// prevTermTrace is the traceparent of the last observed term's
	// acquisition, so our acquisition's span can link to it.
	prevTermTrace string

	// what the candidate knows
	leader       Token  // holder observed in the store
	leaderName   string // its instance ID, or ForeignHolder
	keyFree      bool
	connected    bool
	healthy      bool
	childFailed  bool
	holdOffUntil time.Time
	lastErr      error

	// acquisition
	opening      chan openResult // set while the store is being opened
	attempt      *attempt
	attemptSeq   uint64
	attempts     uint64 // acquisition attempts started, for Status and metrics
	retry        *backoff.ExponentialBackOff
	retryDelay   time.Duration // the last backoff delay, for Status
	breaker      breaker
	openRetry    *backoff.ExponentialBackOff
	deleteOnStop bool
	failed       error
}

// newElectionActor builds the actor for a validated config.
func newElectionActor(cfg Config, onStatus func(*Status), shared *transport.JetStreamStore) *electionActor {
	a := &electionActor{
		cfg:          cfg,
		onStatus:     onStatus,
		shared:       shared,
		log:          cfg.Logger.With("role", cfg.Role, "instance", cfg.InstanceID),
		tel:          newTelemetry(cfg),
		healthy:      true,
		connected:    true,
		deleteOnStop: true,
		retry:        newBackoff(cfg.RetryInitialInterval, cfg.RetryMaxInterval),
		openRetry:    newBackoff(cfg.RetryInitialInterval, cfg.RetryMaxInterval),
		breaker:      breaker{threshold: cfg.BreakerThreshold, cooldown: cfg.BreakerCooldown},
	}
	sm, err := actors.NewStateMachine(fsm.Election(), map[fsm.State]actor.ReceiveFunc{
		fsm.StateCandidate: a.receiveNotLeading,
		fsm.StateFollower:  a.receiveNotLeading,
		fsm.StateLeader:    a.receiveLeader,
		fsm.StateStopped:   a.receiveStopped,
	}, actors.WithTransitionObserver(a.onTransition))
	if err != nil {
		// The table and handlers are fixed at compile time; a failure here
		// is a programming error caught by every test.
		panic(fmt.Sprintf("election state machine: %v", err))
	}
	a.sm = sm
	return a
}

// newBackoff returns an exponential backoff with jitter that never gives up.
func newBackoff(initial, maxInterval time.Duration) *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = initial
	b.MaxInterval = maxInterval
	b.Reset()
	return b
}

// Receive implements actor.Actor: the current state's behaviour handles
// every message.
func (a *electionActor) Receive(ctx actor.Context) { a.sm.Receive(ctx) }

// receiveCommon handles what every state handles alike. It reports whether
// it consumed the message.
func (a *electionActor) receiveCommon(ctx actor.Context) bool {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.onStarted(ctx)
	case *actor.Stopping:
		a.shutdown(ctx, ReasonStopped)
	case *actor.Restarting:
		a.shutdown(ctx, ReasonFailed)
	case *actor.Stopped:
		a.closeStore()
		a.stopTelemetry()
	case *storeOpened:
		a.onStoreOpened(ctx)
	case *attemptFinished:
		a.onAttemptFinished(ctx, msg)
	case *connChanged:
		a.onConnChanged(ctx, msg.event)
	case *healthReport:
		a.onHealthReport(ctx, msg)
	case *actors.ChildGaveUp:
		a.onChildGaveUp(ctx, msg)
	case *actors.Tick:
		a.onTick(ctx, msg)
	case *needLease:
		if a.sm.State() == fsm.StateLeader && msg.term == a.token.Revision && ctx.Sender() != nil {
			ctx.Send(ctx.Sender(), &leaseUpdate{term: a.token.Revision, lease: a.lease})
		}
	case *released:
		a.onReleased(msg)
	case *stopOptions:
		a.deleteOnStop = msg.deleteKey
	case *GetStatus:
		ctx.Respond(a.snapshot())
	case *Resign:
		if a.sm.State() != fsm.StateLeader {
			ctx.Respond(&ResignResult{Err: ErrNotLeader})
		} else {
			a.resign(ctx)
		}
	default:
		return false
	}
	return true
}

// onStarted starts on the shared store, or opens one outside the actor.
func (a *electionActor) onStarted(ctx actor.Context) {
	a.timers = actors.NewTimers(ctx)
	a.since = time.Now()
	a.publish()
	a.unwatch = a.tel.watchLease(&a.latest)
	a.tel.connected(a.cfg.Conn.IsConnected())
	if a.shared != nil {
		a.storeReady(ctx, a.shared)
		return
	}
	a.openStore(ctx)
}

// openStore opens the lease store in a goroutine that puts the outcome on
// a.opening and reports *storeOpened. The actor (or its shutdown, if it
// stops first) takes the outcome, so an opened store is always closed.
func (a *electionActor) openStore(ctx actor.Context) {
	system, self, cfg := ctx.ActorSystem(), ctx.Self(), a.cfg
	opening := make(chan openResult, 1)
	a.opening = opening
	go func() {
		octx, cancel := context.WithTimeout(context.Background(), cfg.OpTimeout)
		defer cancel()
		store, err := cfg.openStore(octx)
		opening <- openResult{store: store, err: err}
		system.Root.Send(self, &storeOpened{})
	}()
}

// onStoreOpened starts the children once the store is open, retries a
// transient failure and stops the election on a permanent one.
func (a *electionActor) onStoreOpened(ctx actor.Context) {
	if a.opening == nil {
		return // taken by shutdown
	}
	msg := <-a.opening
	a.opening = nil
	switch {
	case msg.err == nil:
		a.storeReady(ctx, msg.store)
	case transport.ClassOf(msg.err) == transport.ClassPermanent:
		a.failed = msg.err
		a.lastErr = msg.err
		a.logger().Error("election cannot run", "err", msg.err)
		a.emit(ctx, &Failed{Role: a.cfg.Role, InstanceID: a.cfg.InstanceID, Err: msg.err})
		ctx.Stop(ctx.Self())
	default:
		a.lastErr = msg.err
		a.logger().Warn("opening the lease store failed; retrying", "err", msg.err)
		a.timers.After(openTimer, 0, a.openRetry.NextBackOff())
		a.publish()
	}
}

// storeReady starts the children on an open store.
func (a *electionActor) storeReady(ctx actor.Context, store *transport.JetStreamStore) {
	a.store = store
	a.spawnChildren(ctx)
	a.logger().Info("election ready", "bucket", a.cfg.Bucket)
	a.publish()
}

// spawnChildren starts the watch, connection and health children.
func (a *electionActor) spawnChildren(ctx actor.Context) {
	if a.watchPID == nil {
		a.watchPID = ctx.Spawn(newWatchProps(a.store, a.cfg.Role))
	}
	if a.connPID == nil {
		a.connPID = ctx.Spawn(newConnectionProps(a.store))
	}
	if a.healthPID == nil && a.cfg.HealthChecker != nil {
		a.healthPID = ctx.Spawn(newHealthProps(a.cfg.HealthChecker, a.cfg.HealthInterval))
	}
}

// onTick dispatches the actor's own timers.
func (a *electionActor) onTick(ctx actor.Context, tick *actors.Tick) {
	if !a.timers.Current(tick) {
		return
	}
	switch tick.Name {
	case openTimer:
		a.openStore(ctx)
	case campaignTimer:
		a.onCampaignTick(ctx)
	case deadlineTimer:
		if a.sm.State() == fsm.StateLeader && tick.Term == a.token.Revision {
			a.demote(ctx, fsm.EvRenewDeadline, false)
		}
	case graceTimer:
		if a.sm.State() == fsm.StateLeader && tick.Term == a.token.Revision {
			a.demote(ctx, fsm.EvDisconnectGrace, false)
		}
	case respawnTimer:
		a.childFailed = false
		a.spawnChildren(ctx)
		a.publish()
	}
}

// fire sends ev to the state machine, logging a refusal: every refusal is a
// bug in the caller, since each caller checks the state first.
func (a *electionActor) fire(ctx actor.Context, ev fsm.Event) bool {
	tr, err := a.sm.Fire(ctx, ev)
	if err != nil {
		a.logger().Error("state machine refused event", "event", string(ev), "err", err)
		return false
	}
	return tr.Changed
}

// onTransition is the one place every state change is reported.
func (a *electionActor) onTransition(ctx actor.Context, tr fsm.Transition) {
	a.trans++
	a.since = time.Now()
	a.logger().Info("transition", "from", string(tr.From), "to", string(tr.To), "cause", string(tr.Event))
	a.tel.transition(actors.TraceContext(ctx), tr, a.term())
	a.publish()
}

// term is the term this candidate knows of: its own while leading, else the
// observed leader's (0 when none).
func (a *electionActor) term() uint64 {
	if !a.token.IsZero() {
		return a.token.Revision
	}
	return a.leader.Revision
}

// logger returns the election's logger with the current term and the term's
// correlation id (role/revision/nonce), so every record of one term can be
// found together.
func (a *electionActor) logger() *slog.Logger {
	t := a.token
	if t.IsZero() {
		t = a.leader
	}
	if t.IsZero() {
		return a.log.With("term", uint64(0))
	}
	return a.log.With("term", t.Revision, "term_id", t.Role+"/"+strconv.FormatUint(t.Revision, 10)+"/"+t.Nonce)
}

// receiveStopped drops everything but lifecycle and status requests.
func (a *electionActor) receiveStopped(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Stopped:
		a.closeStore()
		a.stopTelemetry()
	case *GetStatus:
		ctx.Respond(a.snapshot())
	case *Resign:
		ctx.Respond(&ResignResult{Err: ErrStopped})
	}
}
