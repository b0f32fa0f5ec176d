package chaos

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	MaybeRunCandidate()
	goleak.VerifyTestMain(m)
}
