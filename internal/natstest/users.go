package natstest

import "github.com/nats-io/nats-server/v2/server"

// User is a user a server with Options.Users lets connect.
type User struct {
	// Name and Password are the user's credentials.
	Name     string
	Password string
	// Publish and Subscribe limit the subjects the user may publish and
	// subscribe to; nil allows every subject.
	Publish   *Subjects
	Subscribe *Subjects
}

// Subjects allow and deny subjects (wildcards allowed). Deny wins; an empty
// Allow allows every subject not denied.
type Subjects struct {
	Allow []string
	Deny  []string
}

// serverUser builds a fresh nats-server user; the server keeps what it is
// given, so every start gets its own.
func (u User) serverUser() *server.User {
	su := &server.User{Username: u.Name, Password: u.Password}
	if u.Publish != nil || u.Subscribe != nil {
		su.Permissions = &server.Permissions{Publish: u.Publish.server(), Subscribe: u.Subscribe.server()}
	}
	return su
}

// server converts to nats-server's type; nil stays nil (no limit).
func (s *Subjects) server() *server.SubjectPermission {
	if s == nil {
		return nil
	}
	return &server.SubjectPermission{Allow: append([]string(nil), s.Allow...), Deny: append([]string(nil), s.Deny...)}
}
