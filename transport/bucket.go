package transport

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults for BucketConfig.
const (
	DefaultBucket         = "baton"
	DefaultReplicas       = 1
	DefaultLimitMarkerTTL = time.Second
)

// minServerVersion is the first nats-server that tells watchers when a key's
// TTL expires (limit markers). Older servers expire keys silently, and a
// follower would only notice on its next poll.
var minServerVersion = [3]int{2, 11, 0}

// BucketConfig says which bucket holds the leases and how to create it.
type BucketConfig struct {
	// Name of the KV bucket. Default DefaultBucket.
	Name string
	// Replicas of the bucket's stream when it is created: 1, or 3 or 5 on a
	// cluster. Default DefaultReplicas. An existing bucket must match.
	Replicas int
	// LimitMarkerTTL is how long the server keeps the marker that tells
	// watchers a key expired. Default DefaultLimitMarkerTTL; at least 1s.
	LimitMarkerTTL time.Duration
	// Memory keeps the bucket in memory instead of on disk when created.
	Memory bool
	// NoCreate makes Open fail with ErrBucketNotFound instead of creating a
	// missing bucket, for accounts that may not create streams.
	NoCreate bool
}

// withDefaults fills zero fields with their defaults.
func (c BucketConfig) withDefaults() BucketConfig {
	if c.Name == "" {
		c.Name = DefaultBucket
	}
	if c.Replicas == 0 {
		c.Replicas = DefaultReplicas
	}
	if c.LimitMarkerTTL == 0 {
		c.LimitMarkerTTL = DefaultLimitMarkerTTL
	}
	return c
}

// validate checks the config after defaults are applied, naming every bad
// setting at once.
func (c BucketConfig) validate() error {
	var problems []string
	if !ValidBucketName(c.Name) {
		problems = append(problems, fmt.Sprintf("bucket name %q may contain only letters, digits, '-' and '_'", c.Name))
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		problems = append(problems, fmt.Sprintf("Replicas %d must be between 1 and 5", c.Replicas))
	}
	if c.LimitMarkerTTL < time.Second {
		problems = append(problems, fmt.Sprintf("LimitMarkerTTL %v must be at least 1s", c.LimitMarkerTTL))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %w: %s", ErrPermanent, ErrBucketMisconfigured, strings.Join(problems, "; "))
	}
	return nil
}

// openBucket checks the server, then opens the bucket, creating it when it
// is missing and allowed, and turns on atomic batch publish when sessions
// need it. A refused JetStream API request ends it at once with
// ErrPermissionDenied rather than when ctx ends.
func openBucket(ctx context.Context, nc *nats.Conn, cfg BucketConfig, sessions bool) (jetstream.JetStream, jetstream.KeyValue, error) {
	if nc == nil || nc.IsClosed() {
		return nil, nil, fmt.Errorf("open bucket %q: %w: %w", cfg.Name, ErrPermanent, ErrClosed)
	}
	if err := checkServerVersion(nc.ConnectedServerVersion()); err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, nil, fmt.Errorf("open bucket %q: %w: %w", cfg.Name, ErrPermanent, err)
	}
	var kv jetstream.KeyValue
	err = guarded(ctx, nc, jsAPIRefusal, func(ctx context.Context) (err error) {
		kv, err = openKV(ctx, js, cfg)
		if err == nil && sessions {
			err = allowAtomicPublish(ctx, js, cfg)
		}
		return err
	})
	if errors.Is(err, nats.ErrPermissionViolation) {
		return nil, nil, classify("open bucket", cfg.Name, opRead, err)
	}
	return js, kv, err
}

// openKV opens, creates if allowed, and vets the bucket.
func openKV(ctx context.Context, js jetstream.JetStream, cfg BucketConfig) (jetstream.KeyValue, error) {
	if _, err := js.AccountInfo(ctx); err != nil {
		return nil, classify("open bucket", cfg.Name, opRead, err)
	}
	kv, err := js.KeyValue(ctx, cfg.Name)
	switch {
	case errors.Is(err, jetstream.ErrBucketNotFound) && cfg.NoCreate:
		return nil, fmt.Errorf("open bucket %q: %w: %w (creating it is not allowed)", cfg.Name, ErrPermanent, ErrBucketNotFound)
	case errors.Is(err, jetstream.ErrBucketNotFound):
		kv, err = createBucket(ctx, js, cfg)
	}
	switch {
	case errors.Is(err, jetstream.ErrBadBucket):
		// The stream exists but is not shaped like a bucket; say how.
		return nil, inspectStream(ctx, js, cfg)
	case err != nil:
		return nil, err
	}
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, classify("inspect bucket", cfg.Name, opRead, err)
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok {
		return nil, fmt.Errorf("inspect bucket %q: %w: unexpected status type %T", cfg.Name, ErrPermanent, st)
	}
	if err := checkStream(cfg, bs.StreamInfo().Config); err != nil {
		return nil, err
	}
	return kv, nil
}

// allowAtomicPublish turns on atomic batch publish on the bucket's stream,
// which a session takeover needs (see takeOver), unless it is on already.
func allowAtomicPublish(ctx context.Context, js jetstream.JetStream, cfg BucketConfig) error {
	stream, err := js.Stream(ctx, streamName(cfg.Name))
	if err != nil {
		return classify("inspect bucket", cfg.Name, opRead, err)
	}
	sc := stream.CachedInfo().Config
	if sc.AllowAtomicPublish {
		return nil
	}
	sc.AllowAtomicPublish = true
	info, err := js.UpdateStream(ctx, sc)
	if err != nil {
		return fmt.Errorf("bucket %q: sessions need atomic batch publish on stream %s: %w",
			cfg.Name, streamName(cfg.Name), classify("update bucket", cfg.Name, opRead, err))
	}
	if !info.CachedInfo().Config.AllowAtomicPublish {
		return fmt.Errorf("bucket %q: %w: %w: sessions need atomic batch publish, which this server ignored (nats-server 2.12 or newer has it)",
			cfg.Name, ErrPermanent, ErrServerTooOld)
	}
	return nil
}

// createBucket creates the lease bucket. Two processes may race to create
// it; the loser opens the winner's bucket, which checkStream then vets.
// Errors other than the ones it names are nats.go's, for openKV.
func createBucket(ctx context.Context, js jetstream.JetStream, cfg BucketConfig) (jetstream.KeyValue, error) {
	storage := jetstream.FileStorage
	if cfg.Memory {
		storage = jetstream.MemoryStorage
	}
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:         cfg.Name,
		Description:    "Baton leader election leases",
		History:        1,
		Replicas:       cfg.Replicas,
		Storage:        storage,
		LimitMarkerTTL: cfg.LimitMarkerTTL,
	})
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, jetstream.ErrBucketExists):
		return js.KeyValue(ctx, cfg.Name)
	case errors.Is(err, jetstream.ErrLimitMarkerTTLNotSupported):
		return nil, fmt.Errorf("create bucket %q: %w: %w", cfg.Name, ErrPermanent, ErrServerTooOld)
	case errors.As(err, &apiErr) && apiErr.ErrorCode == codeReplicasNotSupported:
		return nil, fmt.Errorf("create bucket %q: %w: %w: Replicas %d needs a clustered server; use 1 on a single server: %w",
			cfg.Name, ErrPermanent, ErrBucketMisconfigured, cfg.Replicas, err)
	case err != nil:
		return nil, classify("create bucket", cfg.Name, opRead, err)
	}
	return kv, nil
}

// inspectStream reports why the bucket's stream, which nats.go refused as a
// KV bucket, cannot hold leases.
func inspectStream(ctx context.Context, js jetstream.JetStream, cfg BucketConfig) error {
	stream, err := js.Stream(ctx, streamName(cfg.Name))
	if err != nil {
		return classify("inspect bucket", cfg.Name, opRead, err)
	}
	if err := checkStream(cfg, stream.CachedInfo().Config); err != nil {
		return err
	}
	return fmt.Errorf("bucket %q: %w: %w: stream %s is not a KV bucket", cfg.Name, ErrPermanent, ErrBucketMisconfigured, streamName(cfg.Name))
}

// streamName is the name of a bucket's stream.
func streamName(bucket string) string { return "KV_" + bucket }

// checkStream rejects a bucket whose stream settings break the protocol,
// naming every one at fault.
func checkStream(cfg BucketConfig, sc jetstream.StreamConfig) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if want := "$KV." + cfg.Name + ".>"; !slices.Contains(sc.Subjects, want) {
		bad("stream %s has subjects %v, not %s, so it is not a KV bucket", sc.Name, sc.Subjects, want)
	}
	if sc.MaxMsgsPerSubject != 1 {
		bad("History is %d, want 1 (older revisions would keep superseded leases readable)", sc.MaxMsgsPerSubject)
	}
	if sc.SubjectDeleteMarkerTTL <= 0 {
		bad("LimitMarkerTTL is off, so watchers would never see a lease expire")
	}
	if !sc.AllowMsgTTL {
		bad("per-message TTLs are off, so leases could not expire")
	}
	if sc.MaxAge != 0 {
		bad("bucket TTL is %v, want none (per-key TTLs carry the lease)", sc.MaxAge)
	}
	if sc.Replicas != cfg.Replicas {
		bad("Replicas is %d, config asks for %d", sc.Replicas, cfg.Replicas)
	}
	if len(problems) > 0 {
		return fmt.Errorf("bucket %q: %w: %w: %s", cfg.Name, ErrPermanent, ErrBucketMisconfigured, strings.Join(problems, "; "))
	}
	return nil
}

// checkServerVersion refuses servers older than minServerVersion. An empty
// version means the connection is not up.
func checkServerVersion(v string) error {
	if v == "" {
		return fmt.Errorf("check server version: %w: %w", ErrTransient, nats.ErrDisconnected)
	}
	parts := strings.SplitN(strings.SplitN(v, "-", 2)[0], ".", 3)
	var got [3]int
	for i := range got {
		if i >= len(parts) {
			break
		}
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return fmt.Errorf("check server version: %w: %w: cannot parse %q", ErrPermanent, ErrServerTooOld, v)
		}
		got[i] = n
	}
	for i := range got {
		if got[i] != minServerVersion[i] {
			if got[i] < minServerVersion[i] {
				return fmt.Errorf("check server version: %w: %w: server is %s, need %d.%d.%d or newer",
					ErrPermanent, ErrServerTooOld, v, minServerVersion[0], minServerVersion[1], minServerVersion[2])
			}
			return nil
		}
	}
	return nil
}

// ValidRole reports whether a role name can be a lease key: non-empty,
// made of letters, digits and "-/_=.", not starting or ending with '.',
// with no "..", and not starting with ReservedPrefix.
func ValidRole(s string) bool { return validKey(s) && !reserved(s) }

// ValidBucketName reports whether name can name a lease bucket: letters,
// digits, '-' and '_'.
func ValidBucketName(name string) bool { return validKey(name) && !strings.ContainsAny(name, "./=") }

// validKey reports whether s is a valid KV key.
func validKey(s string) bool {
	if s == "" || len(s) > 255 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-/_=.", r)
		if !ok {
			return false
		}
	}
	return true
}
