package natstest

import "testing"

// Users of RunSecuredServer, one per permission an election needs, all
// with password SecuredPassword.
const (
	// UserAdmin may do everything.
	UserAdmin = "admin"
	// UserNoJetStream may not use the JetStream API ($JS.>).
	UserNoJetStream = "no-js"
	// UserNoCreate may use the JetStream API but not create streams.
	UserNoCreate = "no-create"
	// UserNoKVPublish may use the JetStream API but not write to KV
	// buckets ($KV.>).
	UserNoKVPublish = "no-kv"
	// SecuredPassword is every secured user's password.
	SecuredPassword = "s3cret-pw"
)

// SecuredUsers returns the users of RunSecuredServer.
func SecuredUsers() []User {
	deny := func(subjects ...string) *Subjects { return &Subjects{Deny: subjects} }
	return []User{
		{Name: UserAdmin, Password: SecuredPassword},
		{Name: UserNoJetStream, Password: SecuredPassword, Publish: deny("$JS.>")},
		{Name: UserNoCreate, Password: SecuredPassword, Publish: deny("$JS.API.STREAM.CREATE.>")},
		{Name: UserNoKVPublish, Password: SecuredPassword, Publish: deny("$KV.>")},
	}
}

// RunSecuredServer starts a JetStream server that only SecuredUsers may
// use, stopped when the test ends.
func RunSecuredServer(tb testing.TB) *Server {
	tb.Helper()
	opts := DefaultOptions()
	opts.Users = SecuredUsers()
	return RunServerWithOptions(tb, opts)
}
