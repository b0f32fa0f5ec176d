package transport_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/fsm"
	"github.com/batonhq/baton/internal/interpret"
	"github.com/batonhq/baton/internal/natstest"
	"github.com/batonhq/baton/leadership"
	"github.com/batonhq/baton/transport"
)

// claimant is the candidate the leases are offered to in
// TestExpiryMarkerNeverProvesAClaim.
const claimant = "claimant"

// A quarter of the claims are sent early, from claimLo to
// claimLo+claimSpan after the server stored the offer: early enough that
// the server's stamps prove them even when a loaded machine stretches
// their round trips (the core promotes only on a claim applied before the
// offer could expire, with room for the server clock skew and the round
// trip). The others race the offers' expiry, as the writes of
// TestExpiryMarkerErasesAcknowledgedWrite do (expiryLo, expirySpan), so
// that most offers expire together and the marker erases some claims.
const (
	claimLo   = 300 * time.Millisecond
	claimSpan = 300 * time.Millisecond
)

// claimRun is one key of TestExpiryMarkerNeverProvesAClaim: the offer V,
// and what the claimant's decision core made of it.
type claimRun struct {
	key   string
	offer transport.Lease
	// offerAt is when the server stored the offer: its TTL runs from then.
	offerAt time.Time
	// claimed is set once the core asked for the claim; claim is the
	// acquisition the store acknowledged (Revision 0 when none was), else
	// claimErr says why not. readBack is what reading the claim back from
	// the stream leader found (Revision 0 when it did not), else readErr
	// says why not.
	claimed         bool
	claim, readBack transport.Lease
	claimErr        error
	readErr         error
	// promoted is the lease the core promoted on (Revision 0 when it did
	// not).
	promoted fsm.Lease
}

// claimTally counts what became of the claims of a round.
type claimTally struct {
	// The claims the core asked for: acknowledged, refused (ErrConflict),
	// or failed otherwise (no answer in time, most likely).
	claims, claimsAcked, claimsRefused, claimsFailed int
	// claimsErased: the claim was acknowledged and the key's last message
	// is now an expiry marker past it.
	claimsErased int
	// The read-backs of acknowledged claims: the key still held the claim,
	// held something else (ErrConflict), or the read failed; foundErased
	// counts the claims found that were erased after all.
	readFound, readGone, readFailed, foundErased int
	// promoted counts the core's promotions; promotedErased those whose
	// lease the expiry marker then erased.
	promoted, promotedErased int
}

func (c claimTally) String() string {
	return fmt.Sprintf("claims=%d claims_acked=%d claims_refused=%d claims_failed=%d claims_erased=%d read_found=%d read_gone=%d read_failed=%d found_then_erased=%d promoted=%d promoted_erased=%d",
		c.claims, c.claimsAcked, c.claimsRefused, c.claimsFailed, c.claimsErased, c.readFound, c.readGone, c.readFailed, c.foundErased, c.promoted, c.promotedErased)
}

func (c *claimTally) add(o claimTally) {
	c.claims += o.claims
	c.claimsAcked += o.claimsAcked
	c.claimsRefused += o.claimsRefused
	c.claimsFailed += o.claimsFailed
	c.claimsErased += o.claimsErased
	c.readFound += o.readFound
	c.readGone += o.readGone
	c.readFailed += o.readFailed
	c.foundErased += o.foundErased
	c.promoted += o.promoted
	c.promotedErased += o.promotedErased
}

// TestExpiryMarkerNeverProvesAClaim drives the decision core of a candidate
// to which leases are offered (Offer: a TTL of 1s) through its claims, sent
// as the offers expire, as the election actor would: the core sees the
// offer, and each call it asks for (the acquisition over the offer, then
// the claim's read-back from the stream leader) is carried out and its
// answer fed back as an input. The expiry marker erases some acknowledged
// claims, some of them after the read-back found them (see
// TestExpiryMarkerErasesAcknowledgedWrite). The test fails if the core
// promoted on a lease that was then erased, or never promoted at all (it
// would then prove nothing).
func TestExpiryMarkerNeverProvesAClaim(t *testing.T) {
	r := newExpiryRig(t, "claims")
	store, err := transport.Open(ctx(t), natstest.Connect(t, r.url), r.opts)
	if err != nil {
		t.Fatalf("open the claimant's store: %v", err)
	}
	t.Cleanup(store.Close)
	timing := claimantTiming()
	var total claimTally
	for round := range *expiryRounds {
		runs := make([]*claimRun, *expiryKeys)
		for i := range runs {
			runs[i] = &claimRun{key: fmt.Sprintf("r%d.k%d", round, i)}
		}
		r.offerAll(t, runs)
		at := r.storedAt(t, fmt.Sprintf("r%d.>", round), len(runs))
		anchors := make([]time.Time, len(runs))
		for i, c := range runs {
			c.offerAt = at[c.offer.Revision]
			anchors[i] = c.offerAt
		}
		start := time.Now()
		sendAt(claimDue(round, anchors), func(i int) { runs[i].drive(store, timing) })
		r.settled(t)
		tally := r.tallyClaims(t, runs)
		if time.Since(start) >= timing.TTL {
			// A lease whose own TTL ran out ends in a marker too, and would
			// count as erased.
			t.Fatalf("round %d took %v, longer than the claimed leases' TTL of %v: its figures would be wrong", round, time.Since(start), timing.TTL)
		}
		t.Logf("expiry-marker baton: topology=%s round=%d keys=%d %v", r.topology, round, len(runs), tally)
		total.add(tally)
	}
	t.Logf("expiry-marker baton: topology=%s rounds=%d keys=%d total %v", r.topology, *expiryRounds, *expiryKeys, total)
	if total.promotedErased > 0 {
		t.Errorf("the core promoted on %d leases that an expiry marker then erased", total.promotedErased)
	}
	if total.promoted == 0 {
		t.Errorf("the core promoted on no claim: the test proves nothing")
	}
}

// claimDue returns when each claim is due: every fourth key's early, the
// others' as their offers expire.
func claimDue(round int, anchors []time.Time) []time.Time {
	due := dueTimes(round, anchors, expiryLo, expirySpan)
	early := dueTimes(round, anchors, claimLo, claimSpan)
	for i := 0; i < len(due); i += 4 {
		due[i] = early[i]
	}
	return due
}

// claimantTiming is the claimant's Timing: leadership's timings for a TTL
// of 10s, mapped as the election actor maps its configuration.
func claimantTiming() fsm.Timing {
	const ttl = 10 * time.Second
	tm := leadership.Config{TTL: ttl}.EffectiveTimings()
	return fsm.Timing{
		InstanceID:         claimant,
		TTL:                ttl,
		RenewDeadline:      tm.RenewDeadline,
		HeartbeatInterval:  tm.HeartbeatInterval,
		DisconnectGrace:    tm.DisconnectGrace,
		PollInterval:       tm.PollInterval,
		OpTimeout:          tm.OpTimeout,
		RespawnDelay:       ttl,
		OfferTTL:           transport.OfferTTL,
		MaxServerClockSkew: tm.MaxServerClockSkew,
		MaxClockDrift:      tm.MaxClockDrift,
	}
}

// offerAll has a holder acquire every key and offer it to the claimant, a
// few keys at a time.
func (r *expiryRig) offerAll(t *testing.T, runs []*claimRun) {
	t.Helper()
	errs := make(chan error, len(runs))
	slots := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for _, c := range runs {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			bounded, cancel := context.WithTimeout(context.Background(), transport.DefaultOpTimeout)
			defer cancel()
			lease, err := r.store.Acquire(bounded, c.key, record("holder", 10*time.Second))
			if err == nil {
				c.offer, err = r.store.Offer(bounded, lease, claimant)
			}
			if err != nil {
				errs <- fmt.Errorf("offer %s: %w", c.key, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// drive runs the claimant's decision core from its start through its claim
// of c's offer: the watch's report of the offer, then each call the core
// asks for, carried out on store, its answer fed back as the next input.
// Timers and the other announcements are not carried out: the claim ends
// with the answers to its calls.
func (c *claimRun) drive(store *transport.JetStreamStore, timing fsm.Timing) {
	o := c.offer
	inputs := []fsm.Input{
		{Kind: fsm.InStart},
		{Kind: fsm.InStoreOpened},
		// As the election actor reads the watch's KeyPut of an offer.
		{Kind: fsm.InKey, Key: fsm.KeyView{Revision: o.Revision, Expiring: true, Written: c.offerAt, Holder: fsm.Holder{
			Name: o.Record.Holder, Term: o.Term, Revision: o.Revision, Nonce: o.Record.Nonce, OfferedTo: o.Record.OfferedTo}}},
	}
	s := fsm.NewElectionState()
	for len(inputs) > 0 {
		in := inputs[0]
		inputs = inputs[1:]
		in.At = time.Now()
		var effects []fsm.Effect
		s, effects = fsm.Step(timing, s, in)
		for _, e := range effects {
			switch e.Kind {
			case fsm.DoAcquire:
				inputs = append(inputs, c.acquire(store, timing, e))
			case fsm.DoConfirm:
				inputs = append(inputs, c.confirm(store, timing, e))
			case fsm.DoPromoted:
				c.promoted = e.Lease
			}
		}
	}
}

// acquire carries out a DoAcquire as the election actor does, and returns
// the answer as the core's input.
func (c *claimRun) acquire(store *transport.JetStreamStore, timing fsm.Timing, e fsm.Effect) fsm.Input {
	c.claimed = true
	sentAt := time.Now()
	rec := transport.Record{Holder: timing.InstanceID, Nonce: nonce(), AcquiredAt: sentAt, TTL: timing.TTL}
	bounded, cancel := context.WithTimeout(context.Background(), timing.OpTimeout)
	defer cancel()
	lease, err := interpret.Acquire(bounded, store, c.key, rec, e)
	in := fsm.Input{Kind: fsm.InAcquired, Seq: e.Seq, SentAt: sentAt, Result: transport.ResultOf(err)}
	c.claim, c.claimErr = lease, err
	if err == nil {
		in.Lease = fsm.Lease{Term: lease.Term, Revision: lease.Revision, Nonce: rec.Nonce}
	}
	return in
}

// confirm carries out a DoConfirm as the election actor does: the claim
// read back from the stream leader, with when the server stored it.
func (c *claimRun) confirm(store *transport.JetStreamStore, timing fsm.Timing, e fsm.Effect) fsm.Input {
	lease := c.claim
	lease.Revision = e.Lease.Revision
	sentAt := time.Now()
	bounded, cancel := context.WithTimeout(context.Background(), timing.OpTimeout)
	defer cancel()
	found, err := store.Confirm(bounded, lease)
	c.readBack, c.readErr = found, err
	return fsm.Input{Kind: fsm.InConfirmed, Seq: e.Seq, SentAt: sentAt, Result: transport.ResultOf(err),
		Lease: fsm.Lease{Term: found.Term, Revision: found.Revision}, Stored: found.Stored}
}

// tallyClaims reads what each key holds now and counts the outcomes.
func (r *expiryRig) tallyClaims(t *testing.T, runs []*claimRun) claimTally {
	t.Helper()
	var m claimTally
	for _, c := range runs {
		if !c.claimed {
			t.Errorf("key %s: the core did not claim the lease offered to it", c.key)
			continue
		}
		m.claims++
		switch {
		case errors.Is(c.claimErr, transport.ErrConflict):
			m.claimsRefused++
			continue
		case c.claimErr != nil:
			if m.claimsFailed == 0 {
				t.Logf("expiry-marker baton: claim failed: key=%s: %v", c.key, c.claimErr)
			}
			m.claimsFailed++
			continue
		}
		m.claimsAcked++
		erased, last := r.erasedPast(t, c.key, c.claim.Revision)
		if erased {
			m.claimsErased++
		}
		switch {
		case c.readBack.Revision != 0:
			m.readFound++
			if erased {
				m.foundErased++
			}
		case errors.Is(c.readErr, transport.ErrConflict):
			m.readGone++
		case c.readErr != nil:
			if m.readFailed == 0 {
				t.Logf("expiry-marker baton: read-back failed: key=%s: %v", c.key, c.readErr)
			}
			m.readFailed++
		}
		if c.promoted.Revision == 0 {
			continue
		}
		m.promoted++
		if erased {
			m.promotedErased++
			t.Logf("expiry-marker baton: promoted on an erased lease: key=%s offer=%d offer_at=%v claim=%d stored=%v promoted=%d last=%d",
				c.key, c.offer.Revision, c.offerAt.Format(time.StampMicro), c.claim.Revision, c.readBack.Stored.Format(time.StampMicro), c.promoted.Revision, last)
		}
	}
	return m
}

// nonce is a random nonce for a term.
func nonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}
