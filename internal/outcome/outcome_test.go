package outcome_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/outcome"
	"github.com/batonhq/baton/transport"
)

func TestOf(t *testing.T) {
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
		if got := outcome.Of(c.err); got != c.want {
			t.Errorf("Of(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
