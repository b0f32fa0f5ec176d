package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/batonhq/baton/internal/natstest"
	"github.com/nats-io/nats.go"
)

// The probe of a whole-cluster crash: a key the harness writes in the lease
// bucket just before the crash. Whether the restarted stream still holds
// it at the sequence its write was acknowledged with says whether the
// crash lost acknowledged writes. The stream's last sequence cannot say
// it: candidates write again as soon as the cluster is back (the restored
// leases have long expired), and the servers write an expiry marker for
// every restored key whose TTL passed, each raising the sequence.
const (
	probeKey     = "chaos-crash-probe"
	probeSubject = "$KV." + bucketName + "." + probeKey
	// msgGetSubject is JetStream's message get, which the stream leader
	// answers (a direct get may be answered by a replica still catching up).
	msgGetSubject = "$JS.API.STREAM.MSG.GET." + streamName
	probeTimeout  = 2 * time.Second // one request to the cluster
)

// probeConn connects to the cluster directly, not through candidates' proxies.
func (e *env) probeConn() (*nats.Conn, error) {
	nc, err := nats.Connect(e.urls(), append(natstest.ClientOptions("chaos probe"), nats.Timeout(probeTimeout))...)
	if err != nil {
		return nil, fmt.Errorf("%w: crash probe: connect: %w", ErrInfrastructure, err)
	}
	return nc, nil
}

// writeProbe writes the probe and returns the sequence its acknowledgement
// gave.
func (e *env) writeProbe() (uint64, error) {
	nc, err := e.probeConn()
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	reply, err := nc.Request(probeSubject, []byte(time.Now().Format(time.RFC3339Nano)), probeTimeout)
	if err != nil {
		return 0, fmt.Errorf("%w: crash probe: write: %w", ErrInfrastructure, err)
	}
	var ack struct {
		Seq   uint64    `json:"seq"`
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(reply.Data, &ack); err != nil || ack.Error != nil || ack.Seq == 0 {
		return 0, fmt.Errorf("%w: crash probe: write refused: %s", ErrInfrastructure, reply.Data)
	}
	return ack.Seq, nil
}

// apiError is a JetStream API error.
type apiError struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// probeSeq returns the sequence of the probe as the stream leader holds it,
// 0 when it holds none.
func (e *env) probeSeq(nc *nats.Conn) (uint64, error) {
	req, err := json.Marshal(map[string]string{"last_by_subj": probeSubject})
	if err != nil {
		return 0, err
	}
	reply, err := nc.Request(msgGetSubject, req, probeTimeout)
	if err != nil {
		return 0, err
	}
	var got struct {
		Message *struct {
			Seq uint64 `json:"seq"`
		} `json:"message"`
		Error *apiError `json:"error"`
	}
	switch err := json.Unmarshal(reply.Data, &got); {
	case err != nil:
		return 0, err
	case got.Error != nil && got.Error.Code == http.StatusNotFound:
		return 0, nil
	case got.Error != nil:
		return 0, fmt.Errorf("message get: %d %s", got.Error.Code, got.Error.Description)
	case got.Message == nil:
		return 0, fmt.Errorf("message get: no message in %s", reply.Data)
	}
	return got.Message.Seq, nil
}

// probeKept waits until the restarted stream shows whether it kept the
// probe written at sequence probe: it holds the probe there (kept), or its
// leader's last sequence has reached the probe's without it (lost). A
// restarted leader can answer before it has replayed its log, so a missing
// probe proves nothing until the stream has got that far; one that does
// not get there within clusterTimeout never held the probe. It also
// returns the stream's last sequence when it decided.
func (e *env) probeKept(ctx context.Context, probe uint64) (kept bool, last uint64, err error) {
	nc, err := e.probeConn()
	if err != nil {
		return false, 0, err
	}
	defer nc.Close()
	why := fmt.Errorf("not read within %v", clusterTimeout)
	decided, err := poll(ctx, time.Now().Add(clusterTimeout), func(time.Time) bool {
		seq, gerr := e.probeSeq(nc)
		if gerr != nil {
			why = gerr
			return false
		}
		if last, gerr = e.streamLastSeq(); gerr != nil {
			why = gerr
			return false
		}
		kept = seq == probe
		return kept || last >= probe
	})
	switch {
	case err != nil:
		return false, 0, err
	case !decided && last == 0:
		return false, 0, fmt.Errorf("%w: crash probe: %w", ErrInfrastructure, why)
	}
	return kept, last, nil
}
