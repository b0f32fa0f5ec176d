package chaos

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeCandidateConfig(t *testing.T) {
	good := candidateConfig{ID: "c1", NATSURLs: []string{"nats://127.0.0.1:1"}, ResourceURL: "http://127.0.0.1:1", Role: roleName, Replicas: 1, Timing: DefaultTiming()}
	raw, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeCandidateConfig(string(raw)); err != nil {
		t.Fatalf("a valid config: %v", err)
	}
	tests := map[string]string{
		"not JSON":      "{",
		"unknown field": `{"id":"c1","colour":"red"}`,
		"no id":         strings.Replace(string(raw), `"id":"c1"`, `"id":""`, 1),
		"no urls":       strings.Replace(string(raw), `"nats_urls":["nats://127.0.0.1:1"]`, `"nats_urls":[]`, 1),
		"no resource":   strings.Replace(string(raw), `"resource_url":"http://127.0.0.1:1"`, `"resource_url":""`, 1),
		"bad timing":    strings.Replace(string(raw), `"TTL":2000000000`, `"TTL":1500000000`, 1),
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeCandidateConfig(raw); !errors.Is(err, ErrBadCandidateConfig) {
				t.Fatalf("decode %s: %v, want ErrBadCandidateConfig", raw, err)
			}
		})
	}
}

func TestCandidateMainRejectsBadConfig(t *testing.T) {
	var log bytes.Buffer
	if code := candidateMain("{", &log); code != exitBadConfig || !strings.Contains(log.String(), CandidateEnv) {
		t.Fatalf("exit %d, log %q; want %d and a message naming %s", code, log.String(), exitBadConfig, CandidateEnv)
	}
}
