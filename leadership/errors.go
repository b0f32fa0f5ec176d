package leadership

import (
	"errors"

	"github.com/batonhq/baton/transport"
)

var (
	// ErrInvalidConfig is wrapped by every error from Config.Validate,
	// NewProps and NewElection for a config that cannot work; the message
	// names the field.
	ErrInvalidConfig = errors.New("invalid election config")
	// ErrNotLeader is returned by Election.Resign and Election.ValidateToken
	// when this candidate does not hold the lease.
	ErrNotLeader = errors.New("not the leader")
	// ErrTokenStale is returned by Election.ValidateToken when the lease in
	// the store no longer matches this candidate's token: another term began.
	ErrTokenStale = errors.New("fencing token is stale")
	// ErrStopped is returned by Election methods called after Stop, and by
	// Start when the election stopped before it could begin (for example,
	// the bucket could not be opened).
	ErrStopped = errors.New("election stopped")
	// ErrAlreadyStarted is returned by Election.Start when called twice.
	ErrAlreadyStarted = errors.New("election already started")
	// ErrNotStarted is returned by Election methods that need a running
	// election before Start.
	ErrNotStarted = errors.New("election not started")
	// ErrNoSuccessor is returned by Election.HandOff (and answers a
	// *Resign naming a successor) when the named candidate is not
	// registered and live, or is this candidate; the leader keeps leading.
	ErrNoSuccessor = errors.New("no such live candidate")
)

// Errors from the lease bucket, returned (wrapped) by Election.Start and
// reported in *Failed, re-exported so callers need not import transport.
var (
	// ErrNoJetStream: the server has no JetStream.
	ErrNoJetStream = transport.ErrNoJetStream
	// ErrServerTooOld: the server is older than 2.11 and cannot report lease
	// expiry to watchers.
	ErrServerTooOld = transport.ErrServerTooOld
	// ErrBucketNotFound: the bucket is missing and Config.Bucket.NoCreate
	// forbids creating it.
	ErrBucketNotFound = transport.ErrBucketNotFound
	// ErrBucketMisconfigured: the existing bucket's settings break the lease
	// protocol, or Bucket.Replicas exceeds what the server offers; the
	// message names every setting at fault.
	ErrBucketMisconfigured = transport.ErrBucketMisconfigured
	// ErrPermissionDenied: the server refused a publish or subscription the
	// election needs; the message names the subject.
	ErrPermissionDenied = transport.ErrPermissionDenied
)

// Errors of the leader proxy.
var (
	// ErrNoLeader is returned (wrapped) by Request when no leader answered
	// before the context ended, and by RequestResign when the named leader
	// does not answer.
	ErrNoLeader = errors.New("no leader answered")
	// ErrServeFailed is returned (wrapped) by Request when the leader's
	// ServeFunc returned an error; the message is the leader's.
	ErrServeFailed = errors.New("the leader failed to serve the request")
)
