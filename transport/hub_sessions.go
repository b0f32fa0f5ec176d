package transport

import (
	"context"
	"strings"
)

// The watch hub's view of sessions. A session lease's key does not change
// when its session ends, so the hub tells the lease's watchers instead: it
// keeps which roles each session keeps, and when a session's key expires or
// is deleted (or a listing finds it gone) it delivers KeySessionEnded for
// each of them. The event is a hint, like every event: a takeover is still
// checked by the server against the session's end (see takeOver).

// sessionTracker is which sessions keep what, as the hub has seen: the
// roles whose latest lease each session keeps, and the registry entries it
// keeps live. Whether a session has ended, and at which message, the hub
// reads from the session key's state (sessionEnded, endOf). Touched only
// by run.
type sessionTracker struct {
	roles   map[string]map[string]struct{} // session -> roles
	entries map[string]map[string]string   // session -> registry entry key -> group
}

// newSessionTracker returns a tracker that knows of no session.
func newSessionTracker() sessionTracker {
	return sessionTracker{roles: map[string]map[string]struct{}{}, entries: map[string]map[string]string{}}
}

// bindRole records that sess keeps role's latest lease.
func (t *sessionTracker) bindRole(sess, role string) {
	roles := t.roles[sess]
	if roles == nil {
		roles = map[string]struct{}{}
		t.roles[sess] = roles
	}
	roles[role] = struct{}{}
}

// unbindRole records that sess no longer keeps role's latest lease.
func (t *sessionTracker) unbindRole(sess, role string) { delete(t.roles[sess], role) }

// bindEntry records that sess keeps the registry entry key of group live;
// an entry with no session is kept by its own TTL.
func (t *sessionTracker) bindEntry(sess, key, group string) {
	if sess == "" {
		return
	}
	entries := t.entries[sess]
	if entries == nil {
		entries = map[string]string{}
		t.entries[sess] = entries
	}
	entries[key] = group
}

// unbindEntry records that sess no longer keeps the registry entry key.
func (t *sessionTracker) unbindEntry(sess, key string) { delete(t.entries[sess], key) }

// end forgets sess and returns what it kept: roles, and registry entries
// (key -> group).
func (t *sessionTracker) end(sess string) (map[string]struct{}, map[string]string) {
	roles, entries := t.roles[sess], t.entries[sess]
	delete(t.roles, sess)
	delete(t.entries, sess)
	return roles, entries
}

// keeping returns every session that keeps a role or a registry entry.
func (t *sessionTracker) keeping() []string {
	sessions := make([]string, 0, len(t.roles)+len(t.entries))
	for sess := range t.roles {
		sessions = append(sessions, sess)
	}
	for sess := range t.entries {
		if _, dup := t.roles[sess]; !dup {
			sessions = append(sessions, sess)
		}
	}
	return sessions
}

// isSessionKey reports whether key is a session's key.
func isSessionKey(key string) bool { return strings.HasPrefix(key, SessionsPrefix) }

// bindSession records which session keeps role's lease after ev, and turns
// a lease kept by a session known to have ended into KeySessionEnded. prev
// and seen are the role's state before ev.
func (h *hub) bindSession(role string, prev keyState, seen bool, ev KeyEvent) KeyEvent {
	if seen {
		if old := prev.last().Entry.Record.Session; old != "" {
			h.sessions.unbindRole(old, role)
		}
	}
	sess := ev.Entry.Record.Session
	if ev.Kind != KeyPut || ev.Entry.Malformed != nil || sess == "" {
		return ev
	}
	if h.sessionEnded(sess) {
		ev.Kind, ev.SessionEnd = KeySessionEnded, h.endOf(sess)
		return ev
	}
	h.sessions.bindRole(sess, role)
	return ev
}

// sessionEnded reports whether the hub saw sess end (its key deleted or
// expired). A session it never heard of is not ended here: only a read
// after a complete listing may conclude that (checkUnseenSessions).
func (h *hub) sessionEnded(sess string) bool {
	if sess == "" {
		return false
	}
	st, ok := h.known[sess]
	return ok && !st.present
}

// endOf is the revision of the message that ended sess, as the hub saw it:
// its delete or expiry marker, or 0 when the hub found no message of it at
// all (a listing did not see the key: even its marker is gone). A takeover
// expects the session key's last message to be exactly this one.
func (h *hub) endOf(sess string) uint64 {
	st, ok := h.known[sess]
	if !ok || st.absent {
		return 0
	}
	return st.revision
}

// endSession delivers KeySessionEnded for every role whose latest lease the
// session kept, and takes the registry entries it kept out of the order of
// succession.
func (h *hub) endSession(sess string) {
	roles, entries := h.sessions.end(sess)
	for key, group := range entries {
		h.applyCandidate(group, KeyEvent{Kind: KeySessionEnded, Entry: Entry{Role: key}})
	}
	for role := range roles {
		st := h.known[role]
		prev := st.last()
		if prev.Kind != KeyPut || prev.Entry.Record.Session != sess {
			continue
		}
		ended := prev
		ended.Kind, ended.SessionEnd = KeySessionEnded, h.endOf(sess)
		st.event = &ended
		h.known[role] = st
		h.keys.deliver(role, prev, true, ended)
	}
}

// checkUnseenSessions asks the store whether each session that keeps a
// lease or an entry, but that a complete listing did not find, still has a
// key; gone ones come back on h.gone for endGoneSessions. A listing alone
// cannot tell: it delivers the messages that were each key's latest when
// it began, and a session renewed while it ran has its latest renewal
// after the listing's end, so a live session goes unseen whenever a
// listing takes longer than a renewal (20 s for 200,000 keys; a session
// renews every second). Ending it would take its leases and entries out
// for good, as nothing brings them back when its key shows up.
func (h *hub) checkUnseenSessions(ctx context.Context) {
	var unseen []string
	for _, sess := range h.sessions.keeping() {
		if _, seen := h.known[sess]; !seen {
			unseen = append(unseen, sess)
		}
	}
	if len(unseen) == 0 {
		return
	}
	present, timeout, gone := h.keyPresent, h.opTimeout, h.gone
	h.wg.Go(func() {
		var ended []string
		for _, sess := range unseen {
			octx, cancel := context.WithTimeout(ctx, timeout)
			ok, err := present(octx, sess)
			cancel()
			if err == nil && !ok {
				ended = append(ended, sess)
			}
		}
		select {
		case gone <- ended:
		case <-ctx.Done():
		}
	})
}

// endGoneSessions ends the sessions a read found without a key, unless the
// hub has heard of their key since: their keys expired and even the
// markers are gone. A session whose read failed stays as it is until the
// next listing asks again.
func (h *hub) endGoneSessions(gone []string) {
	for _, sess := range gone {
		if _, seen := h.known[sess]; !seen {
			h.endSession(sess)
		}
	}
}
