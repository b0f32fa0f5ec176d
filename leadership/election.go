package leadership

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/batonhq/baton/transport"
	"go.opentelemetry.io/otel/codes"
)

// Election is the facade for programs that do not use actors: one election
// run by an election actor on the given actor system, with callbacks.
//
// Callback contract:
//   - OnPromote runs when this candidate becomes leader, with the term's
//     token and a context that is cancelled as soon as the term ends. It may
//     run the leader's work until that context is done.
//   - OnDemote runs when the term ends, always after the OnPromote of the
//     same term has returned. Every OnPromote is followed by one OnDemote,
//     including on Stop.
//   - Callbacks of one election run one at a time, in order, on a goroutine
//     of the election's own; they never overlap and never block the
//     election itself.
//
// Register callbacks before Start. All methods are safe for concurrent use.
type Election interface {
	// Start waits (within ctx) for the NATS connection, opens the lease
	// bucket (returning its error, such as a server without JetStream, a
	// permission violation or a misconfigured bucket) and starts
	// campaigning. It returns once the election is running. A failure that
	// may pass (a server slower than OpTimeout) is tried again with backoff
	// until ctx ends, or for 10 OpTimeouts when ctx has no deadline. A Start
	// that failed may be called again; Start after Stop returns ErrStopped.
	Start(ctx context.Context) error
	// Stop is StopWithContext with a 10s timeout and zero StopOptions: a
	// leader releases its lease, and Stop waits for OnDemote.
	Stop() error
	// StopWithContext stops the election. A leader releases its lease first
	// unless opts.KeepLease; it waits for OnDemote unless opts.NoWait.
	StopWithContext(ctx context.Context, opts StopOptions) error
	// IsLeader reports whether this candidate leads and its self-demotion
	// deadline has not passed, on the local clock.
	IsLeader() bool
	// LeaderID is the instance ID of the holder last observed, "" if none.
	LeaderID() string
	// Token is the current term's fencing token while leading, else zero.
	Token() Token
	// Status is the latest snapshot.
	Status() Status
	// OnPromote sets the promotion callback.
	OnPromote(func(ctx context.Context, t Token))
	// OnDemote sets the demotion callback.
	OnDemote(func(ctx context.Context, reason DemoteReason))
	// OnError sets a callback for a running election that cannot make
	// progress (see Warning); it runs in order with the other callbacks.
	OnError(func(err error))
	// ValidateToken checks, with a read of the store, that this candidate
	// still leads under its token. It returns ErrNotLeader when it does not
	// lead, and ErrTokenStale when the store shows another term.
	ValidateToken(ctx context.Context) error
	// Resign demotes and hands the lease to the next live candidate in the
	// order of succession (or, with none, releases it). It returns
	// ErrNotLeader when this candidate does not lead.
	Resign(ctx context.Context) error
	// HandOff demotes and hands the lease to the live candidate instanceID:
	// OnDemote's context is cancelled before the offer is written, and the
	// successor leads once its own claim of the offer is acknowledged. It
	// returns ErrNotLeader when this candidate does not lead, and
	// ErrNoSuccessor (still leading) when instanceID is not a registered,
	// live candidate. If the successor never claims the lease, the key is
	// freed about transport.OfferTTL after the offer, and the order of
	// succession takes over.
	HandOff(ctx context.Context, instanceID string) error
	// Candidates returns the role's live candidates in the order of
	// succession, as the lease store last saw the registry.
	Candidates() []Candidate
}

// StopOptions say how StopWithContext stops. The zero value does what Stop
// does: release a held lease, so a successor need not wait for the TTL, and
// wait until OnDemote has returned.
type StopOptions struct {
	// KeepLease leaves a held lease to expire by TTL instead of releasing it.
	KeepLease bool
	// NoWait returns without waiting for OnDemote.
	NoWait bool
}

// NewElection validates cfg and returns an election on system, not yet
// started.
func NewElection(system *actor.ActorSystem, cfg Config) (Election, error) {
	if system == nil {
		return nil, fmt.Errorf("%w: actor system is nil", ErrInvalidConfig)
	}
	resolved, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	e := &election{system: system}
	// The facade's role is resolved once, here: a config resolved again
	// would lose its None settings.
	e.tree = singleRoleTree(resolved.InstanceID, e.spec(resolved.Role).withResolved(resolved))
	e.cfg = &e.tree.nodes[0].spec.Config
	e.status.Store(e.inactive())
	return e, nil
}

// election implements Election on the same runtime as a role manager: a
// role actor (under a guardian) owns the election actor, runs the callbacks
// in order on its queue and ends a term in order. The facade only starts,
// stops and asks; the term's state lives in the actors.
type election struct {
	system *actor.ActorSystem
	tree   *roleTree // the election as a role
	cfg    *Config   // the role's resolved config, in tree
	status atomic.Pointer[Status]

	mu        sync.Mutex // guards the fields below
	onPromote func(context.Context, Token)
	onDemote  func(context.Context, DemoteReason)
	onError   func(error)
	started   bool
	stopped   bool
	pid       *actor.PID // the role actor
	run       *startRun  // the Start that spawned it
	store     *storeRef  // for ValidateToken; the same store the election runs on
}

// OnPromote implements Election.
func (e *election) OnPromote(f func(ctx context.Context, t Token)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onPromote = f
}

// OnDemote implements Election.
func (e *election) OnDemote(f func(ctx context.Context, reason DemoteReason)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onDemote = f
}

// OnError implements Election.
func (e *election) OnError(f func(err error)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onError = f
}

// Start implements Election. The election actor opens the store itself,
// as the decision core's rows say (retrying a failure that may pass, with
// backoff); Start waits until the election runs or fails for good, within
// ctx or, for a ctx without a deadline, for startPatience OpTimeouts, so
// that Start(context.Background()) rides out a slow server without
// waiting forever. A Start that failed leaves nothing running, and may be
// tried again.
func (e *election) Start(ctx context.Context) error {
	e.mu.Lock()
	switch {
	case e.stopped:
		e.mu.Unlock()
		return ErrStopped
	case e.started:
		e.mu.Unlock()
		return ErrAlreadyStarted
	}
	e.started = true
	e.mu.Unlock()
	if err := e.start(ctx); err != nil {
		e.mu.Lock()
		e.started = false
		e.mu.Unlock()
		return fmt.Errorf("start election %q: %w", e.cfg.Role, err)
	}
	return nil
}

// start runs the election and waits for it to run, undoing it all when it
// does not.
func (e *election) start(ctx context.Context) (err error) {
	// A connection made with RetryOnFailedConnect may not be up yet: wait
	// for it within ctx, without the patience below.
	if err := transport.WaitConnected(ctx, e.cfg.Conn); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startPatience*e.cfg.Timings.OpTimeout)
		defer cancel()
	}
	leave, err := startWindows.Enter(ctx, e.cfg.Conn)
	if err != nil {
		return fmt.Errorf("waiting for the elections started before it to make their first move: %w", err)
	}
	run := &startRun{ready: make(chan struct{}), room: takeRoom(leave, e.cfg.Timings.OpTimeout)}
	defer func() {
		if err != nil {
			run.room.give()
		}
	}()
	env := &roleEnv{tree: e.tree, onStatus: func(st *Status) { e.onStatus(run, st) }}
	props := newRoleProps(env, e.cfg.Role).Configure(actor.WithGuardian(giveUpStrategy))
	e.mu.Lock()
	e.run, e.pid = run, e.system.Root.Spawn(props)
	e.mu.Unlock()

	select {
	case <-run.ready:
	case <-ctx.Done():
		last := e.status.Load().LastError
		e.undo()
		if last != "" {
			return fmt.Errorf("%w: %s", ctx.Err(), last)
		}
		return ctx.Err()
	}
	if st := e.status.Load(); st.Err != nil {
		e.undo()
		return st.Err
	}
	// The facade's own share of the store the election opened, for
	// ValidateToken and Candidates: taken without I/O.
	store, err := openShared(ctx, e.system, *e.cfg)
	if err != nil {
		e.undo()
		return err
	}
	e.mu.Lock()
	e.store = store
	e.mu.Unlock()
	return nil
}

// undo stops the role actor of a Start that failed and waits for it to
// end, so that nothing of it runs and Start may be tried again.
func (e *election) undo() {
	e.mu.Lock()
	pid := e.pid
	e.pid, e.run = nil, nil
	e.mu.Unlock()
	if pid != nil {
		_ = e.system.Root.StopFuture(pid).Wait()
	}
	e.status.Store(e.inactive())
}

// startRun is one Start's election: ready is closed when it runs or has
// ended.
type startRun struct {
	ready chan struct{}
	once  sync.Once
	room  *startRoom // the election's room in its connection's window of starts
}

// spec is the facade's election as a role: its callbacks read the ones set
// when they run, so a callback set after Start still takes effect.
func (e *election) spec(role string) RoleSpec {
	return RoleSpec{
		Role: role,
		OnPromote: func(ctx context.Context, t Token) {
			if f := e.callbacks().onPromote; f != nil {
				f(ctx, t)
			}
		},
		OnDemote: func(ctx context.Context, reason DemoteReason) {
			if f := e.callbacks().onDemote; f != nil {
				f(ctx, reason)
			}
		},
		OnError: func(err error) {
			if f := e.callbacks().onError; f != nil {
				f(err)
			}
		},
	}
}

// callbackSet is the callbacks set on the facade.
type callbackSet struct {
	onPromote func(context.Context, Token)
	onDemote  func(context.Context, DemoteReason)
	onError   func(error)
}

// callbacks returns the callbacks set now.
func (e *election) callbacks() callbackSet {
	e.mu.Lock()
	defer e.mu.Unlock()
	return callbackSet{onPromote: e.onPromote, onDemote: e.onDemote, onError: e.onError}
}

// startPatience is how many OpTimeouts Start waits for the election to run
// when its context has no deadline.
const startPatience = 10

// onStatus stores a snapshot of run's election, unless a failed Start has
// undone run, and signals readiness.
func (e *election) onStatus(run *startRun, st *Status) {
	e.mu.Lock()
	current := e.run == run
	e.mu.Unlock()
	if !current {
		return
	}
	e.status.Store(st)
	if st.Ready || st.Err != nil || st.State == PhaseStopped {
		run.once.Do(func() { close(run.ready) })
	}
	if movedFirst(st) {
		run.room.give()
	}
}

// firstMove reports whether a running election has made its first move:
// it leads, knows the leader, has had an attempt fail, or follows again
// after campaigning. An election starts as a follower that has not yet
// seen the key (its first transition), so following alone is not a move.
func firstMove(st *Status) bool {
	return st.Ready && (st.Leading || st.Leader != "" || st.LastError != "" ||
		st.State == PhaseFollower && st.History.Transitions > 1)
}

// inactive is the Status of an election that does not run.
func (e *election) inactive() *Status {
	return &Status{Role: e.cfg.Role, InstanceID: e.cfg.InstanceID, State: PhaseInactive,
		Conditions: Conditions{Connected: true, Healthy: true}}
}

// Stop implements Election.
func (e *election) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.StopWithContext(ctx, StopOptions{})
}

// StopWithContext implements Election. The role actor ends in order: the
// election releases the lease (unless KeepLease) and reports the term over,
// OnDemote runs, and the role actor answers once its callbacks have run.
func (e *election) StopWithContext(ctx context.Context, opts StopOptions) error {
	e.mu.Lock()
	if !e.started {
		e.mu.Unlock()
		return ErrNotStarted
	}
	if e.stopped {
		e.mu.Unlock()
		return nil
	}
	e.stopped = true
	pid, store := e.pid, e.store
	e.mu.Unlock()
	defer func() {
		if store != nil {
			store.Close()
		}
	}()
	if pid == nil {
		return nil
	}
	msg := &finishRole{keepLease: opts.KeepLease}
	if opts.NoWait {
		e.system.Root.Send(pid, msg)
		return nil
	}
	// The role actor answers once OnDemote has returned. A role actor that
	// is gone answers through the dead letters at once.
	timeout := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), 0)
	}
	if _, err := e.system.Root.RequestFuture(pid, msg, timeout).Result(); err != nil {
		if errors.Is(err, actor.ErrTimeout) {
			return fmt.Errorf("stop election %q: waiting for OnDemote: %w", e.cfg.Role, context.DeadlineExceeded)
		}
		if !errors.Is(err, actor.ErrDeadLetter) {
			return fmt.Errorf("stop election %q: %w", e.cfg.Role, err)
		}
	}
	return nil
}

// IsLeader implements Election.
func (e *election) IsLeader() bool { return e.status.Load().IsLeader() }

// LeaderID implements Election.
func (e *election) LeaderID() string { return e.status.Load().Leader }

// Token implements Election.
func (e *election) Token() Token {
	if st := e.status.Load(); st.IsLeader() {
		return st.Lease.Token
	}
	return Token{}
}

// Status implements Election.
func (e *election) Status() Status { return *e.status.Load() }

// ValidateToken implements Election. Its telemetry is made for the call:
// the facade keeps none of its own, since the election it runs has one.
func (e *election) ValidateToken(ctx context.Context) error {
	tel := newTelemetry(e.cfg)
	ctx, span := tel.startOp(ctx, spanValidate, e.status.Load().Lease.Token.Revision)
	err := e.validateToken(ctx)
	if err != nil {
		tel.tokenFailures.Add(ctx, 1, tel.labels)
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(attrOutcome.String("stale"))
	} else {
		span.SetAttributes(attrOutcome.String("ok"))
	}
	span.End()
	return err
}

// validateToken checks the token against the snapshot and the store.
func (e *election) validateToken(ctx context.Context) error {
	st := e.status.Load()
	if !st.IsLeader() {
		return ErrNotLeader
	}
	e.mu.Lock()
	store, stopped := e.store, e.stopped
	e.mu.Unlock()
	if stopped || store == nil {
		return ErrStopped
	}
	entry, err := store.Get(ctx, e.cfg.Role)
	switch {
	case errors.Is(err, transport.ErrNotFound):
		return fmt.Errorf("%w: the lease is gone", ErrTokenStale)
	case err != nil:
		return fmt.Errorf("validate token: %w", err)
	case entry.Malformed != nil || entry.Record.Holder != st.Lease.Token.Holder ||
		entry.Record.Nonce != st.Lease.Token.Nonce || entry.Term() != st.Lease.Token.Revision:
		return fmt.Errorf("%w: store holds term %d of %q", ErrTokenStale, entry.Term(), entry.Record.Holder)
	}
	if !e.status.Load().IsLeader() {
		return ErrNotLeader // the deadline passed while we read
	}
	return nil
}

// Resign implements Election.
func (e *election) Resign(ctx context.Context) error { return e.resign(ctx, &Resign{}) }

// HandOff implements Election.
func (e *election) HandOff(ctx context.Context, instanceID string) error {
	if instanceID == "" {
		return fmt.Errorf("hand off %q: %w: an instance ID is required", e.cfg.Role, ErrNoSuccessor)
	}
	return e.resign(ctx, &Resign{Successor: instanceID})
}

// Candidates implements Election.
func (e *election) Candidates() []Candidate {
	e.mu.Lock()
	store := e.store
	e.mu.Unlock()
	if store == nil {
		return nil
	}
	return store.Candidates(e.cfg.Role)
}

// resign sends msg to the election and waits for its answer.
func (e *election) resign(ctx context.Context, msg *Resign) error {
	e.mu.Lock()
	pid, stopped := e.pid, e.stopped
	e.mu.Unlock()
	switch {
	case pid == nil:
		return ErrNotStarted
	case stopped:
		return ErrStopped
	}
	timeout := e.cfg.Timings.OpTimeout * 2
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	res, err := e.system.Root.RequestFuture(pid, msg, timeout).Result()
	if err != nil {
		return fmt.Errorf("resign %q: %w", e.cfg.Role, err)
	}
	r, ok := res.(*ResignResult)
	if !ok {
		return fmt.Errorf("resign %q: unexpected reply %T", e.cfg.Role, res)
	}
	return r.Err
}
