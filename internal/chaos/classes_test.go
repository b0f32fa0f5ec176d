package chaos

import (
	"context"
	"os"
	"testing"
	"time"
)

// runTimeout bounds one scenario in tests.
const runTimeout = 2 * time.Minute

// ciSeed is the fixed seed every fault class runs with in CI; a seed that
// once failed is kept in regression_test.go instead.
const ciSeed = 1

// runScenario runs sc and fails the test on a harness error or any
// violation, printing the whole report. With -v the timeline is printed as
// the run goes.
func runScenario(t *testing.T, sc Scenario) *Report {
	t.Helper()
	if testing.Verbose() {
		sc.Log = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	rep, err := Run(ctx, sc)
	if err != nil {
		if rep != nil {
			t.Log(rep)
		}
		t.Fatalf("run seed %d: %v", sc.Seed, err)
	}
	if rep.Failed() {
		t.Fatalf("run seed %d failed:\n%s", sc.Seed, rep)
	}
	t.Logf("%s", rep)
	return rep
}

// TestFaultClasses injects every fault class once, with a fixed seed, and
// requires each to take effect while the election stays safe and live. A
// class whose checks differ by topology (cluster-crash: sync always or
// not) runs on each. The runs spend most of their time waiting, so they
// run in parallel.
func TestFaultClasses(t *testing.T) {
	for _, class := range Classes() {
		topos := []Topology{""} // the scenario's default
		if class == ClassClusterCrash {
			topos = procs
		}
		for _, topo := range topos {
			name := string(class)
			if topo != "" {
				name += "/" + string(topo)
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				rep := runScenario(t, Scenario{Seed: ciSeed, Topology: topo, Faults: []Class{class}})
				if len(rep.Faults) != 1 || !rep.Faults[0].Effective || !rep.Faults[0].Settled {
					t.Fatalf("fault %s was not carried out and checked: %+v", class, rep.Faults)
				}
			})
		}
	}
}

// TestFaultClassesWithSessions injects the faults that end or move a term
// once each with every candidate's lease kept by a session: a killed or
// paused leader's session must end before anyone takes over (the server
// checks), a leader giving up one role (health) or stopping (churn) frees
// it at once while its session lives on, and a whole-cluster crash that
// loses acknowledged writes leaves no lease stuck.
func TestFaultClassesWithSessions(t *testing.T) {
	timing := DefaultTiming()
	timing.Sessions = true
	for _, class := range []Class{ClassKill, ClassPause, ClassBlackhole, ClassHealthFlap, ClassChurn, ClassStreamLeaderKill, ClassClusterCrash} {
		t.Run(string(class), func(t *testing.T) {
			t.Parallel()
			var topo Topology // the scenario's default
			if class == ClassClusterCrash {
				// Acknowledged writes lost: lease keys without a TTL get no
				// expiry marker, so the watch must notice the loss itself.
				topo = procs[0]
			}
			rep := runScenario(t, Scenario{Seed: ciSeed, Topology: topo, Faults: []Class{class}, Timing: &timing})
			if len(rep.Faults) != 1 || !rep.Faults[0].Effective || !rep.Faults[0].Settled {
				t.Fatalf("fault %s was not carried out and checked: %+v", class, rep.Faults)
			}
		})
	}
}
