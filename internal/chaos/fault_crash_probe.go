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
	probeKey = "chaos-crash-probe"
	// healKey is written through a node that rejoined its peers, to see
	// that it serves writes again.
	healKey = "chaos-heal-probe"
	// msgGetSubject is JetStream's message get, which the stream leader
	// answers (a direct get may be answered by a replica still catching up).
	msgGetSubject = "$JS.API.STREAM.MSG.GET." + streamName
	probeTimeout  = 2 * time.Second // one request to the cluster
)

// streamLeader is the index of the node leading the stream.
func (e *env) streamLeader() (int, error) {
	return e.pc.WaitStreamLeader(account, streamName, clusterTimeout)
}

// connectTo connects directly to the node node returns, not through
// candidates' proxies.
func (e *env) connectTo(node func() (int, error)) (*nats.Conn, error) {
	k, err := node()
	if err != nil {
		return nil, err
	}
	return nats.Connect(e.pc.Servers[k].URL(), append(natstest.ClientOptions("chaos probe"), nats.Timeout(probeTimeout))...)
}

// writeProbe writes the probe through the stream leader's node (a node
// that rejoined its peers can answer "no responders" for a while after its
// health check passes) and returns the sequence its acknowledgement gave.
func (e *env) writeProbe(ctx context.Context) (uint64, error) {
	seq, err := e.putVia(ctx, e.streamLeader, probeKey)
	if err != nil {
		return 0, fmt.Errorf("%w: crash probe: %w", ErrInfrastructure, err)
	}
	return seq, nil
}

// putVia writes key in the bucket through the node node returns, trying
// again for up to clusterTimeout, and returns the acknowledged sequence.
func (e *env) putVia(ctx context.Context, node func() (int, error), key string) (uint64, error) {
	var seq uint64
	why := fmt.Errorf("not written within %v", clusterTimeout)
	ok, err := poll(ctx, time.Now().Add(clusterTimeout), func(time.Time) bool {
		nc, err := e.connectTo(node)
		if err != nil {
			why = err
			return false
		}
		defer nc.Close()
		reply, err := nc.Request(kvSubject(key), []byte(time.Now().Format(time.RFC3339Nano)), probeTimeout)
		if err != nil {
			why = err
			return false
		}
		var ack struct {
			Seq   uint64    `json:"seq"`
			Error *apiError `json:"error"`
		}
		if err := json.Unmarshal(reply.Data, &ack); err != nil || ack.Error != nil || ack.Seq == 0 {
			why = fmt.Errorf("write refused: %s", reply.Data)
			return false
		}
		seq = ack.Seq
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, fmt.Errorf("write %s: %w", key, why)
	}
	return seq, nil
}

// kvSubject is the subject of key in the lease bucket.
func kvSubject(key string) string { return "$KV." + bucketName + "." + key }

// apiError is a JetStream API error.
type apiError struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// probeSeq returns the sequence of the probe as the stream leader holds it,
// 0 when it holds none.
func (e *env) probeSeq(nc *nats.Conn) (uint64, error) {
	req, err := json.Marshal(map[string]string{"last_by_subj": kvSubject(probeKey)})
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
	why := fmt.Errorf("not read within %v", clusterTimeout)
	decided, err := poll(ctx, time.Now().Add(clusterTimeout), func(time.Time) bool {
		nc, gerr := e.connectTo(e.streamLeader)
		if gerr != nil {
			why = gerr
			return false
		}
		defer nc.Close()
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
