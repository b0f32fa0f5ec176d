package leadership

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

// The children of a kind share one Props: what is particular to their
// election comes in its answer to their request for a setup.
func TestElectionAnswersEachChildWithItsSetup(t *testing.T) {
	checker := HealthCheckFunc(func(context.Context) error { return nil })
	cfg := Config{Role: "r", InstanceID: "a", Priority: 2, TTL: 3 * time.Second,
		Health: Health{Checker: checker, Interval: time.Second}}.withDefaults()
	a := newElectionActor(&cfg, nil)
	a.store = &storeRef{}

	watch, ok := a.setupOf(fsm.ChildWatch).(*watchSetup)
	if !ok || watch.role != "r" || watch.newestKey != &a.children.newestKey || watch.store != keyWatcher(a.store) {
		t.Errorf("watch setup %+v, want role r, the election's store and its newestKey", watch)
	}
	registry, ok := a.setupOf(fsm.ChildRegistry).(*registrySetup)
	if !ok || registry.role != "r" || registry.ttl != 3*time.Second ||
		registry.candidate != (transport.Candidate{InstanceID: "a", Priority: 2}) {
		t.Errorf("registry setup %+v, want role r, TTL 3s and candidate a of priority 2", registry)
	}
	if conn, ok := a.setupOf(fsm.ChildConnection).(*connectionSetup); !ok || conn.store != connectionWatcher(a.store) {
		t.Errorf("connection setup %+v, want the election's store", conn)
	}
	if health, ok := a.setupOf(fsm.ChildHealth).(*healthSetup); !ok || health.interval != time.Second || health.checker == nil {
		t.Errorf("health setup %+v, want the checker, every 1s", health)
	}
}
