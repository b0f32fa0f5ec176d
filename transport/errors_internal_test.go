package transport

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestClassify(t *testing.T) {
	apiErr := func(code jetstream.ErrorCode, status int) error {
		return &jetstream.APIError{ErrorCode: code, Code: status, Description: "test"}
	}
	cases := []struct {
		name string
		kind opKind
		err  error
		want Class
	}{
		{"key exists", opWrite, jetstream.ErrKeyExists, ClassConflict},
		{"revision mismatch", opWrite, fmt.Errorf("wrapped: %w", jetstream.ErrKeyRevisionMismatch), ClassConflict},
		{"raw 10071", opWrite, apiErr(10071, 400), ClassConflict},
		{"raw 10164 from create over tombstone", opWrite, apiErr(10164, 400), ClassConflict},
		{"not found", opRead, jetstream.ErrKeyNotFound, ClassNotFound},
		{"deleted", opRead, jetstream.ErrKeyDeleted, ClassNotFound},
		{"invalid key", opWrite, jetstream.ErrInvalidKey, ClassPermanent},
		{"bucket gone", opRead, jetstream.ErrBucketNotFound, ClassPermanent},
		{"permission", opWrite, nats.ErrPermissionViolation, ClassPermanent},
		{"no responders", opWrite, nats.ErrNoResponders, ClassTransient},
		{"no stream response", opWrite, jetstream.ErrNoStreamResponse, ClassTransient},
		{"disconnected, not buffered", opWrite, nats.ErrReconnectBufExceeded, ClassTransient},
		{"never sent: the connection's window of requests stayed full", opWrite, fmt.Errorf("%w: %w", errNotSent, context.DeadlineExceeded), ClassTransient},
		{"10163 not ready", opWrite, apiErr(10163, 503), ClassTransient},
		{"write timeout", opWrite, context.DeadlineExceeded, ClassUnknownOutcome},
		{"write nats timeout", opWrite, nats.ErrTimeout, ClassUnknownOutcome},
		{"write on closed conn", opWrite, nats.ErrConnectionClosed, ClassUnknownOutcome},
		{"read timeout", opRead, context.DeadlineExceeded, ClassTransient},
		{"read on closed conn", opRead, nats.ErrConnectionClosed, ClassPermanent},
		{"other api refusal", opWrite, apiErr(10999, 400), ClassPermanent},
		{"other api 503", opWrite, apiErr(10999, 503), ClassTransient},
		{"unforeseen write", opWrite, errors.New("boom"), ClassUnknownOutcome},
		{"unforeseen read", opRead, errors.New("boom"), ClassTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := classify("op", "role", c.kind, c.err)
			if got := ClassOf(err); got != c.want {
				t.Fatalf("ClassOf(classify(%v)) = %v, want %v (error: %v)", c.err, got, c.want, err)
			}
			if !errors.Is(err, c.err) {
				t.Errorf("classified error %v lost its cause %v", err, c.err)
			}
		})
	}
	if classify("op", "role", opWrite, nil) != nil {
		t.Fatal("classify(nil) must be nil")
	}
}

func TestCheckServerVersion(t *testing.T) {
	for v, wantErr := range map[string]error{
		"2.15.2":       nil,
		"2.11.0":       nil,
		"3.0.0":        nil,
		"2.12.0-beta":  nil,
		"2.10.22":      ErrServerTooOld,
		"1.99.0":       ErrServerTooOld,
		"two.eleven.0": ErrServerTooOld,
		"":             ErrTransient,
	} {
		err := checkServerVersion(v)
		if wantErr == nil && err != nil || wantErr != nil && !errors.Is(err, wantErr) {
			t.Errorf("checkServerVersion(%q) = %v, want %v", v, err, wantErr)
		}
	}
}

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{
		"scheduler": true, "region/eu-1": true, "a.b_c=d": true,
		"": false, ".a": false, "a.": false, "a..b": false, "a b": false, "a*": false, "a>": false, "ä": false,
	} {
		if got := validKey(key); got != want {
			t.Errorf("validKey(%q) = %v, want %v", key, got, want)
		}
	}
}
