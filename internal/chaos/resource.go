package chaos

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/batonhq/baton/leadership"
)

// maxRequestBytes bounds a request body; writes and beacons are tiny.
const maxRequestBytes = 64 << 10

// resource is the fenced resource: an HTTP server on 127.0.0.1 in the
// harness process. It accepts a write only if the write's token supersedes
// the highest token it accepted before (leadership.Token.Supersedes), and
// records every write and every beacon with its arrival time. It also tells
// each candidate, in the reply to its beacon, whether to report healthy.
type resource struct {
	srv    *http.Server
	ln     net.Listener
	served chan struct{} // closed when Serve returned

	mu        sync.Mutex
	led       ledger           // guarded by mu
	highest   leadership.Token // guarded by mu; the highest accepted token
	unhealthy map[string]bool  // guarded by mu; candidates told to fail health checks
}

// startResource listens on a free loopback port and serves until Close.
func startResource() (*resource, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%w: fenced resource: listen: %w", ErrInfrastructure, err)
	}
	r := &resource{ln: ln, served: make(chan struct{}), unhealthy: make(map[string]bool)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+writePath, r.handleWrite)
	mux.HandleFunc("POST "+beaconPath, r.handleBeacon)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(r.served)
		_ = r.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return r, nil
}

// URL is the resource's base URL, the candidates' direct path to it.
func (r *resource) URL() string { return "http://" + r.ln.Addr().String() }

// Close stops serving, closes every connection and waits for the server.
func (r *resource) Close() error {
	err := r.srv.Close()
	<-r.served
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("%w: fenced resource: close: %w", ErrInfrastructure, err)
	}
	return nil
}

// handleWrite applies the fencing rule and records the outcome.
func (r *resource) handleWrite(w http.ResponseWriter, req *http.Request) {
	var wr writeRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxRequestBytes)).Decode(&wr); err != nil {
		http.Error(w, "bad write: "+err.Error(), http.StatusBadRequest)
		return
	}
	reply := r.write(wr, time.Now())
	writeJSON(w, reply)
}

// write decides one write under the lock, so decisions are serialized in
// arrival order and the record's order is the decision order.
func (r *resource) write(wr writeRequest, at time.Time) writeReply {
	tok, perr := leadership.ParseToken(wr.Token)
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := write{Seq: len(r.led.writes), Candidate: wr.Candidate, Raw: wr.Token, Token: tok, At: at}
	switch {
	case perr != nil:
		rec.ParseErr = perr.Error()
	case tok.Supersedes(r.highest):
		rec.Accepted = true
		r.highest = tok
	}
	r.led.writes = append(r.led.writes, rec)
	return writeReply{Accepted: rec.Accepted, Highest: r.highest.String()}
}

// handleBeacon records a status report and answers with the health the
// harness wants the candidate to report.
func (r *resource) handleBeacon(w http.ResponseWriter, req *http.Request) {
	var b beacon
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxRequestBytes)).Decode(&b); err != nil {
		http.Error(w, "bad beacon: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.led.beacons = append(r.led.beacons, report{beacon: b, At: time.Now()})
	healthy := !r.unhealthy[b.Candidate]
	r.mu.Unlock()
	writeJSON(w, beaconReply{Healthy: healthy})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // the candidate treats a lost reply as a lost request
}

// setHealthy sets what the candidate's health checker reports from its next
// beacon on.
func (r *resource) setHealthy(candidate string, healthy bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if healthy {
		delete(r.unhealthy, candidate)
	} else {
		r.unhealthy[candidate] = true
	}
}

// snapshot copies everything recorded so far.
func (r *resource) snapshot() ledger {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ledger{
		writes:  append([]write(nil), r.led.writes...),
		beacons: append([]report(nil), r.led.beacons...),
		losses:  append([]time.Time(nil), r.led.losses...),
		resets:  append([]int(nil), r.led.resets...),
	}
}

// markLoss records that the servers lost acknowledged writes in a crash at
// at: from then on a revision may be held again by another token.
func (r *resource) markLoss(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.led.losses = append(r.led.losses, at)
}

// reset forgets the highest accepted token, as the operator of a fenced
// resource must once the lease servers lost acknowledged writes: the new
// terms' revisions can be lower than, or equal to, one accepted before.
func (r *resource) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.highest = leadership.Token{}
	r.led.resets = append(r.led.resets, len(r.led.writes))
}
