package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// openBucket opens an existing lease bucket for reading; it never creates
// one.
func openBucket(ctx context.Context, nc *nats.Conn, bucket string) (jetstream.KeyValue, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	kv, err := js.KeyValue(ctx, bucket)
	switch {
	case errors.Is(err, jetstream.ErrBucketNotFound):
		return nil, fmt.Errorf("%q: %w", bucket, errNoBucket)
	case err != nil:
		return nil, fmt.Errorf("open bucket %q: %w", bucket, err)
	}
	return kv, nil
}
