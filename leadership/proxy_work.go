package leadership

// serviceWork is the leader work a config asks for: serving requests
// (Requests.Serve) and control requests (Requests.Control). It runs as the
// role's work actors, so it starts with each term and stops, confirmed,
// before the term's Demoted is reported.
func (c Config) serviceWork() []WorkFunc {
	var work []WorkFunc
	if c.Requests.Serve != nil {
		work = append(work, serveWork(c.Conn, c.Bucket.Name, c.Requests.Serve))
	}
	if c.Requests.Control {
		// A resign waits for the term's work to stop, which WorkStopBudget
		// bounds, then releases the lease within OpTimeout; the rest is
		// margin for the actors' queues.
		work = append(work, controlWork(c.Conn, c.Bucket.Name, c.Timings.WorkStopBudget+2*c.Timings.OpTimeout+c.Timings.HeartbeatInterval))
	}
	return work
}
