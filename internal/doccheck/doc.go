// Package doccheck holds the test that the documentation names only what
// exists: every repository file and every Go identifier named in README.md,
// the other Markdown pages (docs/, examples/) and the package doc comments
// is looked up in the repository, and a name that is not there fails the
// test with the page, the line and the name.
//
// It guarantees that a file path (leadership/election_actor.go), a
// qualified identifier (fsm.Step, transport.LeaseStore.Acquire), a type's
// field or method (Config.TTL), a test function named in a doc or matched
// by a test command's run pattern, a lone identifier quoted in Markdown and
// a word in mixed case in a package doc comment (LeaseStore) exist
// somewhere in the repository. It does not check that a sentence about
// them is true, that an identifier is the one the sentence means when
// several share its name, or names from dependencies (nats.go,
// nats-server, Proto.Actor), which it leaves alone or lists in upstream.
// The package has no code outside its tests.
package doccheck
