package transport

import "strings"

// The watch hub's view of sessions. A session lease's key does not change
// when its session ends, so the hub tells the lease's watchers instead: it
// keeps which roles each session keeps, and when a session's key expires or
// is deleted (or a listing finds it gone) it delivers KeySessionEnded for
// each of them. The event is a hint, like every event: a takeover is still
// checked by the server against the session's end (see takeOver).

// isSessionKey reports whether key is a session's key.
func isSessionKey(key string) bool { return strings.HasPrefix(key, SessionsPrefix) }

// bindSession records which session keeps role's lease after ev, and turns
// a lease kept by a session known to have ended into KeySessionEnded. prev
// and seen are the role's state before ev.
func (h *hub) bindSession(role string, prev keyState, seen bool, ev KeyEvent) KeyEvent {
	if seen {
		if old := prev.event.Entry.Record.Session; old != "" {
			delete(h.bound[old], role)
		}
	}
	sess := ev.Entry.Record.Session
	if ev.Kind != KeyPut || ev.Entry.Malformed != nil || sess == "" {
		return ev
	}
	if h.sessionEnded(sess) {
		ev.Kind, ev.sessionEnd = KeySessionEnded, h.endOf(sess)
		return ev
	}
	roles := h.bound[sess]
	if roles == nil {
		roles = map[string]struct{}{}
		h.bound[sess] = roles
	}
	roles[role] = struct{}{}
	return ev
}

// sessionEnded reports whether the hub saw sess end (its key deleted or
// expired). A session it never heard of is not ended here: only a complete
// listing may conclude that (endUnseenSessions).
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
	if !ok || st.event.Kind == KeyAbsent {
		return 0
	}
	return st.revision
}

// bindEntry records that the session of c keeps the registry entry key of
// group live.
func (h *hub) bindEntry(key, group string, c Candidate) {
	if c.Session == "" {
		return
	}
	entries := h.boundEntries[c.Session]
	if entries == nil {
		entries = map[string]string{}
		h.boundEntries[c.Session] = entries
	}
	entries[key] = group
}

// endSession delivers KeySessionEnded for every role whose latest lease the
// session kept, and takes the registry entries it kept out of the order of
// succession.
func (h *hub) endSession(sess string) {
	for key, group := range h.boundEntries[sess] {
		h.applyCandidate(group, KeyEvent{Kind: KeySessionEnded, Entry: Entry{Role: key}})
	}
	delete(h.boundEntries, sess)
	for role := range h.bound[sess] {
		st := h.known[role]
		if st.event.Kind != KeyPut || st.event.Entry.Record.Session != sess {
			continue
		}
		st.event.Kind, st.event.sessionEnd = KeySessionEnded, h.endOf(sess)
		h.known[role] = st
		h.deliver(role, st.event)
	}
	delete(h.bound, sess)
}

// endUnseenSessions ends the sessions that keep a lease but that a complete
// listing did not find: their keys expired and even the markers are gone.
// It runs only after a listing, because a listing delivers a session's key
// after the leases it keeps (its latest renewal is newer than they are).
func (h *hub) endUnseenSessions() {
	for sess := range h.bound {
		if _, seen := h.known[sess]; !seen {
			h.endSession(sess)
		}
	}
	for sess := range h.boundEntries {
		if _, seen := h.known[sess]; !seen {
			h.endSession(sess)
		}
	}
}
