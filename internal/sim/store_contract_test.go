package sim_test

import (
	"testing"

	"github.com/batonhq/baton/transport/storetest"
)

// TestStoreContract runs the lease store's contract, the suite the
// JetStream store passes on a server and a cluster, against the model.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, harness{newLiveBucket(t)}, nil)
}

// TestStoreSessionContract runs the contract's session clauses, which the
// JetStream store passes on a server and a cluster, against the model.
func TestStoreSessionContract(t *testing.T) {
	storetest.RunSessions(t, sessionHarness{newLiveBucket(t)}, nil)
}
