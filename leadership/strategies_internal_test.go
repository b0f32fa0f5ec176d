package leadership

import (
	"testing"
	"time"
)

// The elections and role actors of one renewal deadline share one
// strategy, and every guardian is the same value, so Proto.Actor makes one
// guardian for all of them.
func TestSupervisionStrategiesAreShared(t *testing.T) {
	if childSupervision(time.Second) != childSupervision(time.Second) {
		t.Error("two elections with the same renewal deadline got two strategies")
	}
	if childSupervision(time.Second) == childSupervision(2*time.Second) {
		t.Error("elections with different renewal deadlines share a strategy")
	}
	if giveUpStrategy != sharedBackoff(giveUpSupervision()) {
		t.Error("the guardian strategy is made anew")
	}
}
