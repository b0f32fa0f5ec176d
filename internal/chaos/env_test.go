package chaos

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// Only a placement refused for want of peers is asked again when the
// harness creates its bucket; any other failure ends the setup at once.
func TestPeersNotYetKnown(t *testing.T) {
	noPeers := fmt.Errorf("permanent lease store failure: %w", &jetstream.APIError{Code: 400, ErrorCode: codeNoSuitablePeers, Description: "no suitable peers for placement, peer offline"})
	if !peersNotYetKnown(noPeers) {
		t.Errorf("%v: not taken for peers not yet known", noPeers)
	}
	for _, err := range []error{
		fmt.Errorf("open: %w", &jetstream.APIError{Code: 503, ErrorCode: jetstream.JSErrCodeJetStreamNotEnabled, Description: "jetstream not enabled"}),
		errors.New("no suitable peers for placement"), // the words alone are not the server's answer
	} {
		if peersNotYetKnown(err) {
			t.Errorf("%v: taken for peers not yet known", err)
		}
	}
}
