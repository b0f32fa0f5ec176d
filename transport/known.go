package transport

// keyState is the last state of a key the hub delivered. Revisions are
// stream sequences, so a larger one is newer; revision is also kept for an
// absent key, so that an old event arriving late cannot resurrect it.
//
// Only a role's key keeps its last event, which new watches are primed
// with (apply sets it): a registry entry lives on in its role's
// candidateSet, and a session key needs no more than absent. A map of the
// whole event for every key held about 300 bytes for each of them.
type keyState struct {
	present  bool
	absent   bool // the last news was that the key has no message at all
	revision uint64
	event    *KeyEvent
}

// last returns the key's last event, or a zero one if none is kept.
func (k keyState) last() KeyEvent {
	if k.event == nil {
		return KeyEvent{}
	}
	return *k.event
}

// advance returns the key's state after ev and whether ev is news worth
// delivering. seen says whether the key had a state before. An absent event
// carries asOf, the stream revision at which a listing found no entry for
// the key: it counts only if nothing newer than that was delivered, so a
// listing that began before a put cannot erase the put.
func (k keyState) advance(seen bool, ev KeyEvent, asOf uint64) (keyState, bool) {
	if ev.Kind == KeyAbsent {
		if seen && k.revision > asOf {
			return k, false // a newer event already told more
		}
		if seen && !k.present {
			k.revision = asOf
			return k, false // still free
		}
		return keyState{revision: asOf, absent: true}, true
	}
	if seen && ev.Entry.Revision <= k.revision {
		return k, false // stale or repeated
	}
	return keyState{present: ev.Kind == KeyPut, revision: ev.Entry.Revision}, true
}
