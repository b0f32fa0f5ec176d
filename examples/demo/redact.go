package main

import (
	"net/url"
	"strings"
)

// redactURLs returns comma-separated NATS URLs without their user info, so
// a user name, password or token given in -nats is never printed.
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		parts[i] = redactURL(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

// redactURL returns u without its user info; what it cannot parse it hides
// whole, since it may hold a secret.
func redactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" {
		if strings.Contains(u, "@") {
			return "(unparsable URL)"
		}
		return u
	}
	parsed.User = nil
	return parsed.String()
}
