package chaos

import (
	"testing"

	"github.com/batonhq/baton/internal/natstest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	natstest.MaybeRunServer()
	MaybeRunCandidate()
	goleak.VerifyTestMain(m)
}
