package transport

import (
	"fmt"
	"time"
)

// SessionOptions turn on session mode for a store.
type SessionOptions struct {
	// TTL is the session key's time to live, as a lease's: a whole number
	// of seconds, at least 1s. Zero leaves session mode off.
	TTL time.Duration
	// Renew is how often the leases the session keeps are renewed: positive
	// and at most TTL/3. Default TTL/5. The key itself is rewritten every
	// 3/4 Renew, so a lease's renewal finds a newer proof waiting.
	Renew time.Duration
	// ProofWindow bounds what proves the session. When a message's TTL
	// runs out while it is still the last of its key, the server may erase
	// a write that replaced it and was already acknowledged (the expiry
	// marker's rollup follows it). So a renewal proves the session only if
	// its acknowledgement comes within ProofWindow of the send of the
	// newest write already counted as proof, which it replaced or
	// followed; and a session unproven for ProofWindow is abandoned, not
	// renewed: a new one is opened, and the leases it kept end. It must
	// end before any server could expire that write: leadership passes
	// its RenewDeadline. At least 2*Renew and at most TTL; default 3*Renew.
	ProofWindow time.Duration
}

// enabled reports whether the options turn session mode on.
func (o SessionOptions) enabled() bool { return o.TTL != 0 }

// withDefaults fills Renew.
func (o SessionOptions) withDefaults() SessionOptions {
	if o.enabled() && o.Renew == 0 {
		o.Renew = o.TTL / 5
	}
	if o.enabled() && o.ProofWindow == 0 {
		o.ProofWindow = 3 * o.Renew
	}
	return o
}

// validate checks the options after defaults are applied.
func (o SessionOptions) validate() error {
	if !o.enabled() {
		return nil
	}
	if err := checkTTL(o.TTL); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	if o.Renew <= 0 || o.Renew > o.TTL/3 {
		return fmt.Errorf("session: %w: %w: Renew %v must be positive and at most TTL/3 = %v", ErrPermanent, ErrBucketMisconfigured, o.Renew, o.TTL/3)
	}
	if o.ProofWindow < 2*o.Renew || o.ProofWindow > o.TTL {
		return fmt.Errorf("session: %w: %w: ProofWindow %v must be at least 2*Renew = %v and at most TTL %v", ErrPermanent, ErrBucketMisconfigured, o.ProofWindow, 2*o.Renew, o.TTL)
	}
	return nil
}
