package transport_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/transport"
)

func TestRecordRoundTrip(t *testing.T) {
	in := transport.Record{
		Holder:     "node-a",
		Nonce:      "n1",
		Term:       42,
		Priority:   3,
		AcquiredAt: time.Date(2026, 11, 25, 10, 0, 0, 123, time.UTC),
		TTL:        10 * time.Second,
		Trace:      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
	}
	data, err := transport.EncodeRecord(in)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !strings.Contains(string(data), `"ttl":"10s"`) {
		t.Errorf("TTL should travel as a duration string, got %s", data)
	}
	out, err := transport.DecodeRecord(data)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !out.AcquiredAt.Equal(in.AcquiredAt) {
		t.Errorf("AcquiredAt = %v, want %v", out.AcquiredAt, in.AcquiredAt)
	}
	out.AcquiredAt = in.AcquiredAt
	if out != in {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
}

func TestEncodeRefusesIncompleteRecord(t *testing.T) {
	_, err := transport.EncodeRecord(transport.Record{Holder: "a", TTL: time.Second})
	if !errors.Is(err, transport.ErrMalformedRecord) {
		t.Fatalf("encode without nonce: err = %v, want ErrMalformedRecord", err)
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	cases := map[string]string{
		"empty":         ``,
		"not json":      `hello`,
		"array":         `[1,2,3]`,
		"wrong version": `{"v":2,"holder":"a","nonce":"n","ttl":"1s"}`,
		"no holder":     `{"v":1,"nonce":"n","ttl":"1s"}`,
		"no nonce":      `{"v":1,"holder":"a","ttl":"1s"}`,
		"bad ttl":       `{"v":1,"holder":"a","nonce":"n","ttl":"soon"}`,
		"negative ttl":  `{"v":1,"holder":"a","nonce":"n","ttl":"-1s"}`,
		"wrong types":   `{"v":"1","holder":7,"nonce":"n","ttl":"1s"}`,
		"huge":          `{"v":1,"holder":"` + strings.Repeat("x", 5000) + `","nonce":"n","ttl":"1s"}`,
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := transport.DecodeRecord([]byte(value))
			if !errors.Is(err, transport.ErrMalformedRecord) {
				t.Fatalf("DecodeRecord(%q) err = %v, want ErrMalformedRecord", value, err)
			}
		})
	}
}

func FuzzDecodeRecord(f *testing.F) {
	good, err := transport.EncodeRecord(transport.Record{Holder: "a", Nonce: "n", TTL: time.Second})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`null`))
	f.Add([]byte{0xff, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := transport.DecodeRecord(data)
		if err != nil {
			if !errors.Is(err, transport.ErrMalformedRecord) {
				t.Fatalf("error %v does not wrap ErrMalformedRecord", err)
			}
			return
		}
		if rec.Holder == "" || rec.Nonce == "" || rec.TTL <= 0 {
			t.Fatalf("accepted an incomplete record %+v from %q", rec, data)
		}
		again, err := transport.EncodeRecord(rec)
		if err != nil {
			t.Fatalf("cannot re-encode accepted record %+v: %v", rec, err)
		}
		if _, err := transport.DecodeRecord(again); err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
	})
}
