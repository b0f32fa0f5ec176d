package transport

// WatchOption shapes a Watch.
type WatchOption func(*watchOptions)

// watchOptions are a Watch's settings.
type watchOptions struct {
	candidate string
}

// WatchAs makes the watch one candidate's: it hears at once every change
// that concerns the candidate (the key becomes free or stops being free,
// the lease moves to or from the candidate, or is offered to it) and, a
// few milliseconds later and coalesced to the newest, the changes between
// two leases held by others. Among many candidates of one role, this keeps
// a handover's two writes from waking every bystander twice while the
// successor claims. Without it a watch hears every change at once.
func WatchAs(candidate string) WatchOption {
	return func(o *watchOptions) { o.candidate = candidate }
}

// watchSettings applies opts.
func watchSettings(opts []WatchOption) watchOptions {
	var o watchOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
