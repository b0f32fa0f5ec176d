package leadership

import "log/slog"

// warnHazards logs settings that are valid but unwise, once per
// constructed election, to logger or, when the user configured none, to
// slog.Default(): a warning sent to the discarding default logger would
// warn nobody.
//
// A connection that buffers publishes while it reconnects is a warning,
// not a Validate error. A buffered write replayed after a reconnect cannot
// make two leaders (every write is revision-checked, and a leader's
// deadline runs on its own clock), but it can hand the lease to a
// candidate that already gave up on the write, or extend a lease its
// holder already demoted from, so nobody leads until the TTL runs out.
// That costs availability, not safety, and refusing the connection would
// break programs that share one connection with code that wants
// buffering.
func (c Config) warnHazards(logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	if c.Conn != nil && c.Conn.Opts.AllowReconnect && c.Conn.Opts.ReconnectBufSize >= 0 {
		logger.Warn("the NATS connection buffers publishes while it reconnects; a late write may hold a lease nobody uses until its TTL runs out: connect with nats.ReconnectBufSize(-1)",
			"role", c.Role, "reconnect_buf_size", c.Conn.Opts.ReconnectBufSize)
	}
}
