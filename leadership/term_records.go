package leadership

import (
	"slices"
	"time"

	"github.com/batonhq/baton/transport"
)

// termBook is what the election keeps of terms beside the decision core's
// state: what writing them, tracing them and timing them needs.
type termBook struct {
	// records are the records of the terms the core may still renew,
	// confirm or release, and of the attempts in flight.
	records termRecords
	// prevTrace is the traceparent of the last observed term's
	// acquisition, so our acquisition's span can link to it.
	prevTrace string
	// started is when our current term was promoted, for the leader
	// duration metric.
	started time.Time
}

// termRecords are the lease records of the terms an election may still
// renew, confirm or release: almost always one, and two only while a
// release of the previous term is in flight. A slice, not a map: an election keeps this
// for as long as it lives, and a map costs a kilobyte or more even when it
// holds one record.
type termRecords []termRecord

// termRecord is the record written for one term.
type termRecord struct {
	term   uint64
	record transport.Record
}

// get returns the record of term (the zero record when it is unknown).
func (rs termRecords) get(term uint64) transport.Record {
	for _, r := range rs {
		if r.term == term {
			return r.record
		}
	}
	return transport.Record{}
}

// put keeps the record of term.
func (rs *termRecords) put(term uint64, rec transport.Record) {
	for i := range *rs {
		if (*rs)[i].term == term {
			(*rs)[i].record = rec
			return
		}
	}
	*rs = append(*rs, termRecord{term: term, record: rec})
}

// keepOnly drops every record but those of terms.
func (rs *termRecords) keepOnly(terms ...uint64) {
	kept := (*rs)[:0]
	for _, r := range *rs {
		if slices.Contains(terms, r.term) {
			kept = append(kept, r)
		}
	}
	clear((*rs)[len(kept):])
	*rs = kept
}
