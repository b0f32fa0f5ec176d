package transport

import (
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Error classes. Every error returned by a LeaseStore wraps exactly one of
// ErrConflict, ErrNotFound, ErrTransient, ErrPermanent or ErrUnknownOutcome,
// and may wrap a more specific sentinel as well. Use errors.Is, or ClassOf.
var (
	// ErrConflict is returned by Acquire when another holder has the key, and
	// by Renew and Release when the key is no longer at the caller's revision
	// (someone else holds it, or it was deleted or expired).
	ErrConflict = errors.New("lease conflict")
	// ErrNotFound is returned by Get when the role's key holds no lease.
	ErrNotFound = errors.New("lease not found")
	// ErrTransient marks a failure that is expected to pass: a timeout on a
	// read, no responders, a disconnected client, a stream not yet ready.
	ErrTransient = errors.New("transient lease store failure")
	// ErrPermanent marks a failure that retrying will not fix: a permission
	// denied, an invalid role name, a missing or misconfigured bucket, a
	// closed connection.
	ErrPermanent = errors.New("permanent lease store failure")
	// ErrUnknownOutcome is returned by a write (Acquire, Renew, Release) whose
	// reply never came. The write may have been applied.
	ErrUnknownOutcome = errors.New("lease write outcome unknown")
)

// Specific causes, each wrapped together with its class.
var (
	// ErrInvalidRole is returned when a role name cannot be a KV key.
	ErrInvalidRole = errors.New("invalid role name")
	// ErrInvalidTTL is returned when a lease TTL is not a whole number of
	// seconds of at least one second (the server's TTL granularity).
	ErrInvalidTTL = errors.New("invalid lease TTL")
	// ErrMalformedRecord is returned by DecodeRecord for a value that is not
	// a lease record written by Baton.
	ErrMalformedRecord = errors.New("malformed lease record")
	// ErrNoJetStream is returned by Open when the server has no JetStream.
	ErrNoJetStream = errors.New("JetStream is not enabled on the server")
	// ErrServerTooOld is returned by Open when the server cannot report key
	// expiry to watchers (needs nats-server 2.11 or newer).
	ErrServerTooOld = errors.New("nats-server too old for lease TTLs")
	// ErrBucketNotFound is returned by Open when the bucket does not exist
	// and creating it was not allowed.
	ErrBucketNotFound = errors.New("lease bucket not found")
	// ErrBucketMisconfigured is returned by Open when an existing bucket's
	// settings break the lease protocol.
	ErrBucketMisconfigured = errors.New("lease bucket misconfigured")
	// ErrClosed is returned when the NATS connection or the store is closed.
	ErrClosed = errors.New("lease store closed")
	// ErrPermissionDenied is returned (class ErrPermanent) by Open, Acquire,
	// Renew, Release and Get when the server refused one of their requests
	// for lack of permission; the message names the subject. It comes back
	// as soon as the refusal arrives, not when the context ends. Open needs
	// to publish on $JS.API.> (and to create the bucket's stream unless it
	// exists), the writes on the bucket's $KV subjects.
	ErrPermissionDenied = errors.New("permission denied")
)

// Class is the coarse category of a lease store error, for callers that
// decide between retrying, giving up and assuming the worst.
type Class int

// The error classes, in the order ClassOf tests them.
const (
	ClassNone Class = iota
	ClassConflict
	ClassNotFound
	ClassUnknownOutcome
	ClassPermanent
	ClassTransient
)

// String names the class for logs and metrics.
func (c Class) String() string {
	switch c {
	case ClassNone:
		return "none"
	case ClassConflict:
		return "conflict"
	case ClassNotFound:
		return "not_found"
	case ClassUnknownOutcome:
		return "unknown_outcome"
	case ClassPermanent:
		return "permanent"
	case ClassTransient:
		return "transient"
	default:
		return fmt.Sprintf("class(%d)", int(c))
	}
}

// ClassOf returns the class of an error returned by this package. An error
// from elsewhere is ClassTransient, the class that neither gives up nor
// claims anything.
func ClassOf(err error) Class {
	switch {
	case err == nil:
		return ClassNone
	case errors.Is(err, ErrConflict):
		return ClassConflict
	case errors.Is(err, ErrNotFound):
		return ClassNotFound
	case errors.Is(err, ErrUnknownOutcome):
		return ClassUnknownOutcome
	case errors.Is(err, ErrPermanent):
		return ClassPermanent
	default:
		return ClassTransient
	}
}

// JetStream API error codes the lease protocol depends on.
const (
	codeWrongLastSequence         = 10071 // CAS conflict on a single replica
	codeWrongLastSequenceConstant = 10164 // CAS conflict on a replicated stream
	codeLastSeqPerSubjectNotReady = 10163 // expected-last-sequence check temporarily unavailable
	codeJetStreamNotEnabledForAcc = 10039
	codeReplicasNotSupported      = 10074 // replicas > 1 on a server that is not clustered
)

// opKind says whether a failed operation was a write, because a write whose
// reply was lost may have been applied and a read's cannot have changed
// anything.
type opKind int

const (
	opRead opKind = iota
	opWrite
)

// wrongLastSequence reports a write the stream refused because a subject's
// last message was not the one it expected (a key, or in a takeover batch a
// session, that moved on): nothing was written.
func wrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == codeWrongLastSequence || apiErr.ErrorCode == codeWrongLastSequenceConstant)
}

// classify maps an error from nats.go to this package's classes. op and role
// name the operation in the message; the NATS error stays wrapped for
// details.
func classify(op, role string, kind opKind, err error) error {
	if err == nil {
		return nil
	}
	wrap := func(class, cause error) error {
		if cause != nil {
			return fmt.Errorf("%s %q: %w: %w: %w", op, role, class, cause, err)
		}
		return fmt.Errorf("%s %q: %w: %w", op, role, class, err)
	}
	var apiErr *jetstream.APIError
	hasAPI := errors.As(err, &apiErr)
	switch {
	case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch),
		wrongLastSequence(err):
		return wrap(ErrConflict, nil)
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return wrap(ErrNotFound, nil)
	case errors.Is(err, jetstream.ErrInvalidKey):
		return wrap(ErrPermanent, ErrInvalidRole)
	case errors.Is(err, jetstream.ErrBucketNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
		return wrap(ErrPermanent, ErrBucketNotFound)
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount),
		hasAPI && apiErr.ErrorCode == codeJetStreamNotEnabledForAcc:
		return wrap(ErrPermanent, ErrNoJetStream)
	case errors.Is(err, nats.ErrPermissionViolation), errors.Is(err, nats.ErrAuthorization):
		return wrap(ErrPermanent, ErrPermissionDenied)
	case errors.Is(err, jetstream.ErrBadBucket),
		hasAPI && apiErr.ErrorCode == codeReplicasNotSupported:
		return wrap(ErrPermanent, ErrBucketMisconfigured)
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, nats.ErrReconnectBufExceeded), errors.Is(err, nats.ErrDisconnected), errors.Is(err, errNotSent),
		hasAPI && apiErr.ErrorCode == codeLastSeqPerSubjectNotReady:
		// The request never reached a stream that could apply it.
		return wrap(ErrTransient, nil)
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, ErrClosed):
		if kind == opWrite {
			return wrap(ErrUnknownOutcome, ErrClosed)
		}
		return wrap(ErrPermanent, ErrClosed)
	case hasAPI:
		// The stream answered and refused: nothing was written.
		if apiErr.Code >= 500 {
			return wrap(ErrTransient, nil)
		}
		return wrap(ErrPermanent, nil)
	case kind == opWrite:
		// Timeouts, cancellations and anything unforeseen: the request may
		// have been applied, so assume the worst.
		return wrap(ErrUnknownOutcome, nil)
	default:
		// A read that failed changed nothing; try again later.
		return wrap(ErrTransient, nil)
	}
}
