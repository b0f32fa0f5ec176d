package main

import "sync"

// pauser stalls a control loop the way a long GC pause or a stuck disk
// does: the loop has already checked that its term is alive and prepared
// its write, then stops for a while, unaware of anything that happens
// meanwhile. It is safe for concurrent use.
type pauser struct {
	mu     sync.Mutex    // guards the fields below
	paused bool          // the next wait blocks
	resume chan struct{} // closed by release
	held   chan struct{} // closed when a loop is blocked in wait
	holds  bool          // held is closed
}

// pause makes the next wait block until release. It returns a channel that
// is closed once a loop is blocked.
func (p *pauser) pause() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		p.paused, p.holds = true, false
		p.resume, p.held = make(chan struct{}), make(chan struct{})
	}
	return p.held
}

// wait blocks while paused.
func (p *pauser) wait() {
	p.mu.Lock()
	if !p.paused {
		p.mu.Unlock()
		return
	}
	if !p.holds {
		p.holds = true
		close(p.held)
	}
	resume := p.resume
	p.mu.Unlock()
	<-resume
}

// release lets a blocked loop go on, and later waits pass.
func (p *pauser) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		p.paused = false
		close(p.resume)
	}
}
