//go:build unix

package natstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// monitorTimeout bounds one request to a server's monitoring port; a frozen
// or partitioned server must not hold up a poll.
const monitorTimeout = time.Second

// monitorClient keeps no idle connections, so no goroutine outlives a
// request (tests check for leaks).
var monitorClient = &http.Client{Timeout: monitorTimeout, Transport: &http.Transport{DisableKeepAlives: true}}

// monitorGet fetches path?query from the server's monitoring port and
// decodes the JSON reply into out (when out is not nil). Any status but 200
// is an error carrying the reply.
func (s *ProcServer) monitorGet(path, query string, out any) error {
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(loopback, strconv.Itoa(s.cfg.httpPort)), Path: path, RawQuery: query}
	resp, err := monitorClient.Get(u.String())
	if err != nil {
		return fmt.Errorf("%s %s: %w", s.cfg.name, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", s.cfg.name, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", s.cfg.name, path, resp.Status, body)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(body, out)
}

// healthz asks the server's health endpoint; nil means healthy.
func (s *ProcServer) healthz(query string) error {
	return s.monitorGet("/healthz", query, nil)
}

// Routes returns the server's current routes (its /routez).
func (s *ProcServer) Routes() ([]*server.RouteInfo, error) {
	var rz server.Routez
	if err := s.monitorGet("/routez", "", &rz); err != nil {
		return nil, err
	}
	return rz.Routes, nil
}

// Stream returns what the server knows of a stream in an account (its /jsz
// detail): its state and, in a cluster, the leader it follows. ok is false
// when the server does not have the stream.
func (s *ProcServer) Stream(account, stream string) (detail server.StreamDetail, ok bool, err error) {
	var jsz server.JSInfo
	q := url.Values{"acc": {account}, "streams": {"true"}}
	if err := s.monitorGet("/jsz", q.Encode(), &jsz); err != nil {
		return detail, false, err
	}
	for _, acc := range jsz.AccountDetails {
		for _, sd := range acc.Streams {
			if sd.Name == stream {
				return sd, true, nil
			}
		}
	}
	return detail, false, nil
}

// meta returns what the server knows of the JetStream meta group (its /jsz
// meta_cluster): the leader's name and, on the leader, how recently it heard
// from every other peer.
func (s *ProcServer) meta() (*server.MetaClusterInfo, error) {
	var jsz server.JSInfo
	if err := s.monitorGet("/jsz", "", &jsz); err != nil {
		return nil, err
	}
	if jsz.Meta == nil {
		return nil, fmt.Errorf("%s /jsz: no meta group", s.cfg.name)
	}
	return jsz.Meta, nil
}
