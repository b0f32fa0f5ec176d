package sim_test

import (
	"testing"

	"github.com/batonhq/baton/internal/sim"
)

func TestQuick(t *testing.T) {
	s := sim.RunMany(1, 2000, 1, sim.Options{})
	t.Logf("%+v", s)
}
