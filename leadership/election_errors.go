package leadership

import (
	"errors"
	"fmt"
	"strings"
)

// The decision core keeps errors as text (ElectionState.LastError and
// Fatal, a DoWarn's or DoFail's Err); the election actor keeps the value of
// the last error it met (electionActor.lastErr), so that what it hands out
// (Failed, Warning, Status.Err) wraps the transport's errors and callers
// can errors.Is on them.

// errorOf is the error the core describes as text: the last error met
// itself when text is its text, text wrapping it when text ends with it,
// and text alone otherwise.
func (a *electionActor) errorOf(text string) error {
	last := a.lastErr
	switch {
	case last == nil:
		return errors.New(text)
	case text == last.Error():
		return last
	}
	if what, ok := strings.CutSuffix(text, ": "+last.Error()); ok {
		return fmt.Errorf("%s: %w", what, last)
	}
	return errors.New(text)
}
