package transport_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/transport"
)

func TestResultOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want fsm.WriteResult
	}{
		{nil, fsm.WriteOK},
		{fmt.Errorf("renew %q: %w", "r", transport.ErrConflict), fsm.WriteConflict},
		{fmt.Errorf("renew %q: %w", "r", transport.ErrUnknownOutcome), fsm.WriteUnknown},
		{fmt.Errorf("acquire %q: %w", "r", transport.ErrPermanent), fsm.WritePermanent},
		{errors.New("no responders"), fsm.WriteFailed},
	} {
		if got := transport.ResultOf(c.err); got != c.want {
			t.Errorf("ResultOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
