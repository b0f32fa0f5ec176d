package actors_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// wait bounds every expected message in these tests.
const wait = 2 * time.Second

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
