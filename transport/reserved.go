package transport

import (
	"encoding/base64"
	"strings"
)

// ReservedPrefix starts every key of the bucket that is not a role's lease:
// the candidate registry lives under it. Role names starting with it are
// refused (ErrInvalidRole), so a registry entry can never be taken for a
// lease, nor a lease for a registry entry.
const ReservedPrefix = "_baton."

// candidatesPrefix starts the registry's keys: the key of one candidate is
// candidatesPrefix + role + "." + the instance ID in unpadded base64url.
// base64url has no '.', so the last '.' separates the role (which may hold
// dots) from the instance, and any instance ID becomes a valid key.
const candidatesPrefix = ReservedPrefix + "candidates."

// reserved reports whether key is in the reserved namespace.
func reserved(key string) bool {
	return strings.HasPrefix(key, ReservedPrefix) || key == strings.TrimSuffix(ReservedPrefix, ".")
}

// candidateKey is the registry key of instance in role.
func candidateKey(role, instance string) string {
	return candidatesPrefix + role + "." + base64.RawURLEncoding.EncodeToString([]byte(instance))
}

// candidateGroup returns the role group of a registry key (its prefix up
// to the instance) and whether key is a registry key at all.
func candidateGroup(key string) (string, bool) {
	if !strings.HasPrefix(key, candidatesPrefix) {
		return "", false
	}
	i := strings.LastIndexByte(key, '.')
	if i < len(candidatesPrefix) {
		return "", false
	}
	return key[:i], true
}

// groupOf is the group of role's registry keys.
func groupOf(role string) string { return candidatesPrefix + role }

// RegistryEntry decodes a key and value read from the bucket as a candidate
// registry entry written at revision: the role it registers for and the
// candidate. ok is false for a key outside the registry or a value that is
// not an entry.
func RegistryEntry(key string, value []byte, revision uint64) (role string, c Candidate, ok bool) {
	group, isEntry := candidateGroup(key)
	if !isEntry {
		return "", Candidate{}, false
	}
	c, ok = decodeCandidate(value, revision)
	return strings.TrimPrefix(group, candidatesPrefix), c, ok
}
